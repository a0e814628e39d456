import { POLICY_TEMPLATES, parseTemplate } from '../template.ts';
import type { SelectableService } from './policy-services.ts';
import { checkParam, type ParamSpec } from './runbook-params.ts';

/** What a templated heal param renders to for one service, as far as the load can know. */
export type LoadRender = { value: string } | { missing: string } | null;

/**
 * A policy's templated heal param for one service, rendered as the engine will
 * (src/policy/commands/heal-command.ts), when every reference is the service's own: its name and
 * its labels. `missing`: a service label it does not have (never renders). null: the value
 * depends on the signal or the incident, known only when one fires.
 */
export function renderForService(text: string, service: SelectableService): LoadRender {
  const parts = parseTemplate(text, POLICY_TEMPLATES);
  if ('error' in parts) return null; // the schema has reported it
  let value = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      value += part;
      continue;
    }
    const { ref } = part;
    if (ref.kind === 'field' && (ref.name === 'service.name' || ref.name === 'signal.service')) {
      value += service.name;
    } else if (ref.kind === 'label' && ref.of === 'service') {
      if (!Object.hasOwn(service.labels, ref.key)) return { missing: ref.key };
      value += service.labels[ref.key];
    } else {
      return null;
    }
  }
  return { value };
}

/**
 * A templated param that can never pass for some service the policy matches: every heal of that
 * service would be refused (or, for a missing label, paged without healing). The first such
 * service in words, the others named; undefined when every service it can check passes.
 */
export function neverPassesError(
  spec: ParamSpec,
  text: string,
  services: readonly SelectableService[],
): string | undefined {
  let first: { service: string; missing?: string; error?: string } | undefined;
  const others: string[] = [];
  for (const service of services) {
    const rendered = renderForService(text, service);
    if (rendered === null) continue;
    let problem: typeof first;
    if ('missing' in rendered) problem = { service: service.name, missing: rendered.missing };
    else {
      const checked = checkParam(spec, rendered.value);
      if ('error' in checked) problem = { service: service.name, error: checked.error };
    }
    if (problem === undefined) continue;
    if (first === undefined) first = problem;
    else others.push(service.name);
  }
  if (first === undefined) return undefined;
  const these = others.length > 0 ? 'these services' : 'it';
  const also = (word: string) => (others.length > 0 ? `; also ${word} ${others.join(', ')}` : '');
  if (first.missing !== undefined) {
    return `expected service label ${first.missing} (${text}), found none on service ${first.service}${also('on')}: the policy matches ${these} and would never heal ${others.length > 0 ? 'them' : 'it'} (it would page); add the label, narrow match.services, or change the template`;
  }
  return `${first.error} (${text} for service ${first.service}${also('for')}): the policy matches ${these} and the runbook would refuse every heal; narrow match.services, or change the template`;
}
