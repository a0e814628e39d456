/**
 * Templates: `{{signal.labels.pod}}`, `{{service.name}}`, `{{params.x}}`. One syntax and one
 * parser for both places that take them, each allowing its own references (a dialect): a policy's
 * heal params (rendered by the engine from the signal and the service) and a runbook's step
 * fields (rendered by the executor, src/runbooks/render.ts, which inserts each value as data in
 * the form its field needs). A reference the dialect does not have is a config error at load;
 * a label that a service or signal turns out not to have is known only when rendering.
 */

export type Ref =
  | { kind: 'param'; name: string }
  | { kind: 'label'; of: 'service' | 'signal'; key: string }
  | { kind: 'field'; name: Field };

/** References that name one field: `{{service.name}}`, `{{run.id}}`. */
export type Field =
  | 'service.name'
  | 'service.kubernetes.namespace'
  | 'service.kubernetes.name'
  | 'service.kubernetes.kind'
  | 'service.kubernetes.context'
  | 'signal.service'
  | 'signal.check'
  | 'signal.source'
  | 'signal.fingerprint'
  | 'incident.id'
  | 'run.id';

export type TemplatePart = string | { ref: Ref; text: string };

export type ParamValue = string | number | boolean;

/** Which references a place accepts, as people write them (`.NAME`: any label or param name). */
export interface TemplateDialect {
  readonly references: readonly string[];
  /** The two references named first in an error message. */
  readonly examples: readonly [string, string];
}

/** A policy's heal params: rendered by the engine, before the runbook's params exist. */
export const POLICY_TEMPLATES: TemplateDialect = {
  references: [
    'signal.labels.NAME',
    'signal.service',
    'signal.check',
    'signal.source',
    'signal.fingerprint',
    'service.name',
    'service.labels.NAME',
    'incident.id',
  ],
  examples: ['signal.labels.NAME', 'service.name'],
};

/** A runbook's step fields: its declared params and the run's service, signal and ids. */
export const RUNBOOK_TEMPLATES: TemplateDialect = {
  references: [
    'params.NAME',
    'service.name',
    'service.kubernetes.namespace',
    'service.kubernetes.name',
    'service.kubernetes.kind',
    'service.kubernetes.context',
    'service.labels.NAME',
    'signal.labels.NAME',
    'signal.check',
    'signal.fingerprint',
    'incident.id',
    'run.id',
  ],
  examples: ['params.NAME', 'service.labels.NAME'],
};

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The text split into literals and references, or why a reference is not one the dialect has. */
export function parseTemplate(
  text: string,
  dialect: TemplateDialect,
): TemplatePart[] | { error: string } {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const ref = toRef(match[1]!);
    if (ref === undefined || !dialect.references.includes(spelling(ref))) {
      const [a, b] = dialect.examples;
      return {
        error: `expected references such as {{${a}}} or {{${b}}} (${dialect.references.join(', ')}), found {{${match[1]}}}`,
      };
    }
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ ref, text: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

const FIELDS: ReadonlySet<string> = new Set<Field>([
  'service.name',
  'service.kubernetes.namespace',
  'service.kubernetes.name',
  'service.kubernetes.kind',
  'service.kubernetes.context',
  'signal.service',
  'signal.check',
  'signal.source',
  'signal.fingerprint',
  'incident.id',
  'run.id',
]);

function toRef(text: string): Ref | undefined {
  if (FIELDS.has(text)) return { kind: 'field', name: text as Field };
  const param = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (param) return { kind: 'param', name: param[1]! };
  // `signal.labels.app.kubernetes.io/name` is one label key after `labels.`.
  const label = /^(service|signal)\.labels\.([^.\s]+(?:\.[^.\s]+)*)$/.exec(text);
  if (label) return { kind: 'label', of: label[1] as 'service' | 'signal', key: label[2]! };
  return undefined;
}

/** How the dialects list a reference. */
function spelling(ref: Ref): string {
  switch (ref.kind) {
    case 'param':
      return 'params.NAME';
    case 'label':
      return `${ref.of}.labels.NAME`;
    case 'field':
      return ref.name;
  }
}

/** The load-time check of a runbook field: an error, or undefined when every reference is known. */
export function checkTemplate(text: string, declared: readonly string[]): string | undefined {
  const parts = parseTemplate(text, RUNBOOK_TEMPLATES);
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
