/**
 * Templates in runbook step fields: `{{params.x}}`, `{{service.name}}`, `{{service.labels.y}}`,
 * `{{signal.labels.z}}`, ... A template is split into literal text and references once; the
 * renderers (render.ts) insert each value as data in the form its field needs. A reference mend
 * can check at load (an unknown root, an undeclared param) is a config error there; a label
 * that a service or signal turns out not to have is a refusal at run time.
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

/** Everything a reference can name during one run. Absent parts are refusals when referenced. */
export interface TemplateValues {
  params: Record<string, ParamValue>;
  /** Params whose values may begin with "-" in an argv element (allowLeadingDash). */
  dashParams: ReadonlySet<string>;
  service?: { name: string; labels: Record<string, string> };
  signal?: { labels: Record<string, string>; check: string | null; fingerprint: string };
  incidentId?: string;
  runId: string;
}

/** A value that may not be used where it was going: the step is refused, never run. */
export class Refusal extends Error {}

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

/** The value of one reference, or a Refusal saying what is missing. */
export function lookup(ref: Ref, values: TemplateValues): ParamValue {
  const missing = (what: string) => new Refusal(`${what} has no value for this run`);
  switch (ref.kind) {
    case 'param': {
      const value = values.params[ref.name];
      if (value === undefined) throw missing(`{{params.${ref.name}}}`);
      return value;
    }
    case 'label': {
      const labels = ref.of === 'service' ? values.service?.labels : values.signal?.labels;
      const value = labels?.[ref.key];
      if (value === undefined) throw missing(`{{${ref.of}.labels.${ref.key}}}`);
      return value;
    }
    case 'fixed': {
      const value = fixedValue(ref.name, values);
      if (value === undefined || value === null) throw missing(`{{${ref.name}}}`);
      return value;
    }
  }
}

function fixedValue(name: string, values: TemplateValues): string | null | undefined {
  switch (name) {
    case 'service.name':
      return values.service?.name;
    case 'signal.check':
      return values.signal?.check;
    case 'signal.fingerprint':
      return values.signal?.fingerprint;
    case 'incident.id':
      return values.incidentId;
    default:
      return values.runId;
  }
}

/** Parse a template that passed the load-time check; a template that did not is a Refusal. */
export function partsOf(text: string): TemplatePart[] {
  const parts = parseTemplate(text);
  if ('error' in parts) throw new Refusal(parts.error);
  return parts;
}
