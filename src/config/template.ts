/**
 * Templates in runbook step fields: `{{params.x}}`, `{{service.name}}`, `{{service.labels.y}}`,
 * `{{signal.labels.z}}`, ... A template is split into literal text and references once; the
 * renderers (src/runbooks/render.ts) insert each value as data in the form its field needs. A
 * reference mend can check at load (an unknown root, an undeclared param) is a config error
 * there; a label that a service or signal turns out not to have is a refusal at run time.
 */
export const RUNBOOK_REFERENCES = [
  'params.NAME',
  'service.name',
  'service.labels.NAME',
  'signal.labels.NAME',
  'signal.check',
  'signal.fingerprint',
  'incident.id',
  'run.id',
] as const;

export type Ref =
  | { kind: 'param'; name: string }
  | { kind: 'label'; of: 'service' | 'signal'; key: string }
  | {
      kind: 'fixed';
      name: 'service.name' | 'signal.check' | 'signal.fingerprint' | 'incident.id' | 'run.id';
    };

export type TemplatePart = string | { ref: Ref; text: string };

export type ParamValue = string | number | boolean;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const FIXED = new Set([
  'service.name',
  'signal.check',
  'signal.fingerprint',
  'incident.id',
  'run.id',
]);

/** The text split into literals and references, or why a reference is not one mend knows. */
export function parseTemplate(text: string): TemplatePart[] | { error: string } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const ref = toRef(match[1]!);
    if (ref === undefined) {
      return {
        error: `expected references such as {{params.NAME}} or {{service.labels.NAME}} (${RUNBOOK_REFERENCES.join(', ')}), found {{${match[1]}}}`,
      };
    }
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ ref, text: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function toRef(text: string): Ref | undefined {
  if (FIXED.has(text)) return { kind: 'fixed', name: text as never };
  const param = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (param) return { kind: 'param', name: param[1]! };
  const label = /^(service|signal)\.labels\.(\S+)$/.exec(text);
  if (label) return { kind: 'label', of: label[1] as 'service' | 'signal', key: label[2]! };
  return undefined;
}

/** The load-time check of one field: an error message, or undefined when every reference is known. */
export function checkTemplate(text: string, declared: readonly string[]): string | undefined {
  const parts = parseTemplate(text);
  if ('error' in parts) return parts.error;
  for (const part of parts) {
    if (typeof part === 'string' || part.ref.kind !== 'param') continue;
    if (!declared.includes(part.ref.name)) {
      const known = declared.length > 0 ? declared.join(', ') : 'none';
      return `expected a declared param (${known}), found {{params.${part.ref.name}}}`;
    }
  }
  return undefined;
}
