import { isScalar, type Node } from 'yaml';
import type { HealParams } from '../config.ts';
import { ConfigError } from '../config-error.ts';
import { formatFieldPath } from '../field-path.ts';
import { didYouMean } from '../suggest.ts';
import type { ValidDocument } from '../valid-document.ts';
import { positionOf } from '../yaml/locate.ts';
import type { CrossCheckContext } from './document-kind.ts';
import { toMatchers } from './matcher.ts';
import { neverPassesError } from './policy-param-renders.ts';
import { type SelectableService, serviceSelector } from './policy-services.ts';
import type { PolicySpec } from './policy-spec.ts';
import { checkWhen } from './policy-when.ts';
import type { RunbookSpec } from './runbook.ts';
import { checkParam } from './runbook-params.ts';

/**
 * What a Policy refers to, checked at load: the services it names, its `when` (type-checked, the
 * error at the exact character), the notifiers it pages and the runbooks it runs.
 */
export function policyReferenceErrors(
  policies: readonly ValidDocument<PolicySpec>[],
  context: CrossCheckContext,
): ConfigError[] {
  return [
    ...policies.flatMap((policy) => serviceErrors(policy, context.names('Service'))),
    ...policies.flatMap((policy) => whenErrors(policy, context)),
    ...notifierErrors(policies, context.names('Notifier')),
    ...runbookErrors(
      policies,
      context.documents('Runbook') as ValidDocument<RunbookSpec>[],
      context.documents('Service').map((service) => ({
        name: service.metadata.name,
        labels: service.metadata.labels,
      })),
    ),
  ];
}

function serviceErrors(
  policy: ValidDocument<PolicySpec>,
  serviceNames: readonly string[],
): ConfigError[] {
  return (policy.spec.match.services?.names ?? []).flatMap((name, index) => {
    if (serviceNames.includes(name)) return [];
    const path = ['spec', 'match', 'services', 'names', index];
    return [
      new ConfigError(
        policy.locate(path),
        `spec.match.services.names[${index}]`,
        `expected the name of a Service, found ${JSON.stringify(name)}${didYouMean(name, serviceNames)}`,
      ),
    ];
  });
}

function whenErrors(policy: ValidDocument<PolicySpec>, context: CrossCheckContext): ConfigError[] {
  const { when } = policy.spec;
  if (when === undefined) return [];
  const checked = checkWhen(when);
  if (checked.ok) return [];
  return [
    new ConfigError(
      whereInScalar(policy, ['spec', 'when'], when, checked.offset, context),
      'spec.when',
      `expected a CEL condition over signal, service and incident that yields bool, found an error: ${checked.message}`,
    ),
  ];
}

/**
 * The file position of character `offset` of a string value. The value's line is looked up in
 * the raw text of its node, which works for plain, quoted (without escapes before it) and block
 * scalars; otherwise the start of the value.
 */
function whereInScalar(
  document: ValidDocument,
  path: readonly PropertyKey[],
  value: string,
  offset: number,
  context: CrossCheckContext,
) {
  const start = document.locate(path);
  const { source } = document;
  const node = source?.doc.getIn(path, true) as Node | undefined;
  const text = source && context.text(source.file);
  if (!source || !isScalar(node) || !node.range || text === undefined) return start;
  const [from, to] = node.range;
  const raw = text.slice(from, to);
  const lineStart = value.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = value.indexOf('\n', offset);
  const line = value.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const found = raw.indexOf(line);
  if (line.length === 0 || found === -1) return start;
  return positionOf(source, from + found + (offset - lineStart));
}

/**
 * Policies name notifiers in `page.notifiers` and `escalate.notifiers`; each name must be a
 * Notifier. A config with no Notifier at all is not checked, so that policy tests and
 * configs written before their notifiers still load; such a page is recorded on the incident
 * as a failed notification ("no Notifier named ...") when it happens.
 */
function notifierErrors(
  policies: readonly ValidDocument<PolicySpec>[],
  names: readonly string[],
): ConfigError[] {
  if (names.length === 0) return [];
  const known = new Set(names);
  const errors: ConfigError[] = [];
  for (const policy of policies) {
    const lists: [string, string[]][] = [['escalate', policy.spec.escalate.notifiers]];
    if (policy.spec.page) lists.push(['page', policy.spec.page.notifiers]);
    for (const [field, list] of lists) {
      list.forEach((name, index) => {
        if (known.has(name)) return;
        errors.push(
          new ConfigError(
            policy.locate(['spec', field, 'notifiers', index]),
            `spec.${field}.notifiers[${index}]`,
            `expected the name of a Notifier, found ${JSON.stringify(name)}${didYouMean(name, names)}`,
          ),
        );
      });
    }
  }
  return errors;
}

/**
 * Policies against runbooks: each heal names a Runbook that exists, gives only params it
 * declares and every one it requires, and values that pass their declarations: a literal as it
 * is, a template as it renders for each service the policy matches, where that is known at load
 * (`{{service.name}}`, `{{service.labels.x}}`; one that reads the signal is checked when it
 * renders, by the executor). Checked once the config has Runbook documents, so a config of
 * policies alone still loads.
 */
function runbookErrors(
  policies: readonly ValidDocument<PolicySpec>[],
  runbookDocuments: readonly ValidDocument<RunbookSpec>[],
  services: readonly SelectableService[],
): ConfigError[] {
  const runbooks = new Map(runbookDocuments.map((d) => [d.metadata.name, d.spec] as const));
  if (runbooks.size === 0) return [];
  const errors: ConfigError[] = [];
  for (const policy of policies) {
    const { spec } = policy;
    const selection = spec.match.services;
    const selects = serviceSelector(
      selection && { names: selection.names, matchers: toMatchers(selection.matchers) },
    );
    const matched = services.filter(selects);
    const rungs: [(string | number)[], { runbook: string; params: HealParams }][] = [];
    if (spec.heal) rungs.push([['spec', 'heal'], spec.heal]);
    for (const [i, rung] of (spec.ladder ?? []).entries())
      rungs.push([['spec', 'ladder', i], rung]);
    for (const [path, rung] of rungs) {
      const error = (at: (string | number)[], message: string) =>
        errors.push(new ConfigError(policy.locate(at), formatFieldPath(at), message));
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
        if (typeof value === 'string' && value.includes('{{')) {
          const never = neverPassesError(param, value, matched);
          if (never !== undefined) error([...path, 'params', name], never);
          continue;
        }
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
