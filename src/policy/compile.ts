import type {
  Config,
  HealRung,
  PolicyConfig,
  ServiceConfig,
  SettingsConfig,
} from '../config/config.ts';
import { serviceSelector } from '../config/kinds/policy-services.ts';
import { compileWhen, type WhenProgram } from '../config/kinds/policy-when.ts';
import { POLICY_TEMPLATES, parseTemplate, type TemplatePart } from '../config/template.ts';
import { compileMatchers, type LabelPredicate } from './matchers.ts';
import { compileSilences, type SilenceRule } from './silences.ts';

/**
 * The config prepared once at load for the hot path: policies in precedence order with their
 * matchers and CEL compiled, and per service the policies that can match it, so a signal never
 * scans all policies or all services.
 */
export interface CompiledPolicies {
  config: Config;
  /** Highest precedence first: priority descending, then name ascending. */
  policies: CompiledPolicy[];
  byName: ReadonlyMap<string, CompiledPolicy>;
  services: ReadonlyMap<string, CompiledService>;
  /** Policies without a service selector: the candidates for a service not in the config. */
  anyService: CompiledPolicy[];
  silences: SilenceRule[];
  settings: SettingsConfig;
  /**
   * The last service looked up: one decision asks for the same service many times. A cache of
   * a pure lookup, not state: answers are the same with or without it.
   */
  last: CompiledService | null;
}

export interface CompiledPolicy {
  name: string;
  /** Position in precedence order: lower decides. */
  rank: number;
  config: PolicyConfig;
  sources: ReadonlySet<string> | null;
  roles: ReadonlySet<string>;
  matches: LabelPredicate;
  when: WhenProgram | null;
  rungs: CompiledRung[];
  /** Services it selects (blast-radius denominator), and its maxUnhealthy as a count. */
  selected: number;
  limit: number | null;
}

export interface CompiledRung extends HealRung {
  params: HealRung['params'];
  templates: Record<string, TemplatePart[] | number | boolean>;
}

export interface CompiledService {
  name: string;
  labels: Record<string, string>;
  dependsOn: string[];
  /** Services that list this one in dependsOn. */
  dependents: string[];
  /** The same, compiled (filled in once all services are). */
  dependentServices: CompiledService[];
  roles: ReadonlyMap<string, string>;
  /**
   * The longest its own checks may take to turn failing (failureThreshold periods, plus the
   * timeout): how long a dependent whose evidence names it failing waits for them. 0 when it has
   * no checks (only alerts know it: nothing to wait for).
   */
  settleMs: number;
  /** Policies whose service selector admits it, in precedence order. */
  candidates: CompiledPolicy[];
  /** Of those, the ones with maxUnhealthy: their unhealthy counts include this service. */
  blast: CompiledPolicy[];
}

/** Precedence: higher priority first; equal priorities by name, so the order never depends on files. */
export function comparePolicies(a: PolicyConfig, b: PolicyConfig): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function compilePolicies(config: Config): CompiledPolicies {
  const ordered = [...config.policies].sort(comparePolicies);
  const selectors = ordered.map((policy) => selector(policy));
  const policies = ordered.map((policy, rank) =>
    compilePolicy(policy, rank, config.services.filter(selectors[rank]!).length),
  );
  const dependents = new Map<string, string[]>();
  for (const service of config.services) {
    for (const dependency of service.dependsOn) {
      dependents.set(dependency, [...(dependents.get(dependency) ?? []), service.name]);
    }
  }
  const services = new Map<string, CompiledService>();
  for (const service of config.services) {
    const candidates = policies.filter((_, rank) => selectors[rank]!(service));
    services.set(service.name, {
      name: service.name,
      labels: service.labels,
      dependsOn: service.dependsOn,
      dependents: dependents.get(service.name) ?? [],
      dependentServices: [],
      roles: new Map(service.checks.map((check) => [check.name, check.role])),
      settleMs: settleOf(service),
      candidates,
      blast: candidates.filter((policy) => policy.limit !== null),
    });
  }
  for (const service of services.values()) {
    service.dependentServices = service.dependents.map((name) => services.get(name)!);
  }
  return {
    config,
    policies,
    byName: new Map(policies.map((policy) => [policy.name, policy])),
    services,
    anyService: policies.filter((policy) => policy.config.match.services === null),
    silences: compileSilences(config),
    settings: config.settings,
    last: null,
  };
}

/** What the engine knows of a service, also one that is not in the config (an alert's). */
export function serviceOf(compiled: CompiledPolicies, name: string): CompiledService {
  const last = compiled.last;
  if (last !== null && last.name === name) return last;
  const found = compiled.services.get(name);
  if (found !== undefined) compiled.last = found;
  return (
    found ?? {
      name,
      labels: {},
      dependsOn: [],
      dependents: [],
      dependentServices: [],
      roles: new Map(),
      settleMs: 0,
      candidates: compiled.anyService,
      blast: [],
    }
  );
}

function settleOf(service: ServiceConfig): number {
  let longest = 0;
  for (const check of service.checks) {
    const ms = (check.failureThreshold * check.periodSeconds + check.timeoutSeconds) * 1000;
    if (ms > longest) longest = ms;
  }
  return longest;
}

function selector(policy: PolicyConfig): (service: ServiceConfig) => boolean {
  return serviceSelector(policy.match.services);
}

function compilePolicy(policy: PolicyConfig, rank: number, selected: number): CompiledPolicy {
  const { match, maxUnhealthy } = policy;
  const rungs = policy.action.kind === 'heal' ? policy.action.rungs : [];
  return {
    name: policy.name,
    rank,
    config: policy,
    sources: match.sources.length > 0 ? new Set(match.sources) : null,
    roles: new Set(match.roles),
    matches: compileMatchers(match.matchers),
    when: policy.when === null ? null : compileWhen(policy.when),
    rungs: rungs.map((rung) => ({ ...rung, templates: compileParams(rung.params) })),
    selected,
    // Cluster API rounds a percentage down: 40% of 7 services is 2.
    limit:
      maxUnhealthy === null
        ? null
        : 'count' in maxUnhealthy
          ? maxUnhealthy.count
          : Math.floor((selected * maxUnhealthy.percent) / 100),
  };
}

function compileParams(params: HealRung['params']): CompiledRung['templates'] {
  const out: CompiledRung['templates'] = {};
  for (const [key, value] of Object.entries(params)) {
    const parsed = typeof value === 'string' ? parseTemplate(value, POLICY_TEMPLATES) : value;
    out[key] = Array.isArray(parsed) || typeof parsed !== 'object' ? parsed : [String(value)];
  }
  return out;
}
