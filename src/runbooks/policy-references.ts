import type { HealParams } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { formatFieldPath } from '../config/field-path.ts';
import type { PolicySpec } from '../config/kinds/policy.ts';
import type { RunbookSpec } from '../config/kinds/runbook.ts';
import { didYouMean } from '../config/suggest.ts';
import type { ValidDocument } from '../config/validate-document.ts';
import { locate } from '../config/yaml/locate.ts';
import { checkParam } from './params.ts';

/**
 * Policies against runbooks, at load: each heal names a Runbook that exists, gives only params it
 * declares and every one it requires, and literal values that pass their declarations. (A value
 * with a template is known only when a signal renders it; the executor checks it then.) Checked
 * once the config has Runbook documents, so a config of policies alone still loads.
 */
export function runbookReferenceErrors(valid: readonly ValidDocument[]): ConfigError[] {
  const runbooks = new Map(
    valid
      .filter((d) => d.kind === 'Runbook')
      .map((d) => [d.metadata.name, d.spec as RunbookSpec] as const),
  );
  if (runbooks.size === 0) return [];
  const errors: ConfigError[] = [];
  for (const document of valid.filter((d) => d.kind === 'Policy')) {
    const spec = document.spec as PolicySpec;
    const rungs: [(string | number)[], { runbook: string; params: HealParams }][] = [];
    if (spec.heal) rungs.push([['spec', 'heal'], spec.heal]);
    for (const [i, rung] of (spec.ladder ?? []).entries())
      rungs.push([['spec', 'ladder', i], rung]);
    for (const [path, rung] of rungs) {
      const error = (at: (string | number)[], message: string) =>
        errors.push(new ConfigError(locate(document.source, at), formatFieldPath(at), message));
      const runbook = runbooks.get(rung.runbook);
      if (runbook === undefined) {
        error(
          [...path, 'runbook'],
          `expected the name of a Runbook, found ${JSON.stringify(rung.runbook)}${didYouMean(rung.runbook, [...runbooks.keys()])}`,
        );
        continue;
      }
      const declared = Object.keys(runbook.params);
      for (const [name, value] of Object.entries(rung.params)) {
        const param = runbook.params[name];
        if (param === undefined) {
          error(
            [...path, 'params', name],
            `expected a param runbook ${rung.runbook} declares (${declared.join(', ') || 'none'}), found ${JSON.stringify(name)}${didYouMean(name, declared)}`,
          );
          continue;
        }
        if (typeof value === 'string' && value.includes('{{')) continue;
        const checked = checkParam(param, value);
        if ('error' in checked) error([...path, 'params', name], checked.error);
      }
      for (const [name, param] of Object.entries(runbook.params)) {
        if (param.default === undefined && !Object.hasOwn(rung.params, name)) {
          error(
            [...path, 'params'],
            `expected params.${name} (runbook ${rung.runbook} requires it), found none`,
          );
        }
      }
    }
  }
  return errors;
}
