import { ConfigError, type SourcePosition } from './config-error.ts';
import { findCycles } from './dependency-cycles.ts';
import { didYouMean } from './suggest.ts';

/** What the cross-reference checks need of one valid Service document. */
export interface ServiceEntry {
  name: string;
  dependsOn: readonly string[];
  checkNames: readonly string[];
  /** Where a field of the document is written, e.g. ['spec', 'dependsOn', 0]. */
  locate(path: readonly PropertyKey[]): SourcePosition;
}

/**
 * Checks that span Service documents: dependencies that exist, no cycles, unique check names
 * (unique Service names are the loader's, as for every kind). `invalidNames` are names of Service documents that failed their schema: they exist,
 * so depending on them is not reported a second time.
 */
export function checkReferences(
  services: readonly ServiceEntry[],
  invalidNames: ReadonlySet<string> = new Set(),
): ConfigError[] {
  const errors: ConfigError[] = [];
  const byName = new Map<string, ServiceEntry>();
  for (const service of services) {
    if (byName.has(service.name)) continue;
    byName.set(service.name, service);
    errors.push(...duplicateChecks(service));
  }
  const known = [...new Set([...byName.keys(), ...invalidNames])].sort();
  const knownSet = new Set(known);
  const graph = new Map<string, string[]>();
  for (const service of byName.values()) {
    errors.push(...dependencyErrors(service, knownSet, known));
    graph.set(service.name, [...service.dependsOn]);
  }
  for (const cycle of findCycles(graph)) {
    const service = byName.get(cycle[0]!)!;
    const index = service.dependsOn.indexOf(cycle[1]!);
    const path = ['spec', 'dependsOn', index];
    errors.push(
      new ConfigError(
        service.locate(path),
        `spec.dependsOn[${index}]`,
        `dependency cycle: ${spellCycle(cycle)}`,
      ),
    );
  }
  return errors;
}

function duplicateChecks(service: ServiceEntry): ConfigError[] {
  const firstIndex = new Map<string, number>();
  const errors: ConfigError[] = [];
  service.checkNames.forEach((name, index) => {
    const first = firstIndex.get(name);
    if (first === undefined) {
      firstIndex.set(name, index);
      return;
    }
    const at = service.locate(['spec', 'checks', first, 'name']);
    errors.push(
      new ConfigError(
        service.locate(['spec', 'checks', index, 'name']),
        `spec.checks[${index}].name`,
        `expected a check name unique within the service, found ${JSON.stringify(name)} again (first at line ${at.line}, column ${at.col})`,
      ),
    );
  });
  return errors;
}

function dependencyErrors(
  service: ServiceEntry,
  known: ReadonlySet<string>,
  knownList: readonly string[],
): ConfigError[] {
  const errors: ConfigError[] = [];
  const seen = new Set<string>();
  service.dependsOn.forEach((dependency, index) => {
    const path = ['spec', 'dependsOn', index];
    const found = JSON.stringify(dependency);
    let message: string | undefined;
    if (dependency === service.name) {
      message = `expected another service, found ${found} (a service cannot depend on itself)`;
    } else if (seen.has(dependency)) {
      message = `expected each dependency once, found ${found} again`;
    } else if (!known.has(dependency)) {
      message = `expected the name of a Service (${listed(knownList)}), found ${found}${didYouMean(dependency, knownList)}`;
    }
    seen.add(dependency);
    if (message)
      errors.push(new ConfigError(service.locate(path), `spec.dependsOn[${index}]`, message));
  });
  return errors;
}

/** The whole cycle when short; a long one by its ends and its length. */
function spellCycle(cycle: readonly string[]): string {
  if (cycle.length <= 12) return cycle.join(' -> ');
  const services = (cycle.length - 1).toLocaleString('en-US');
  return `${cycle.slice(0, 5).join(' -> ')} -> … -> ${cycle.slice(-5).join(' -> ')} (${services} services)`;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown}, …` : shown;
}
