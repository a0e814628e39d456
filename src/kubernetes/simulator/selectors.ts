import { errors } from './api-status.ts';
import { field, type KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';

export type Matcher = (object: KubeObject) => boolean;

const always: Matcher = () => true;

/**
 * A label selector in the syntax of `labels.Parse`: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, joined by commas. A syntax error is the API server's 400.
 */
export function parseLabelSelector(text: string | null): Matcher {
  if (text === null || text.trim() === '') return always;
  const requirements: Matcher[] = [];
  for (const part of splitTopLevel(text)) {
    const term = part.trim();
    const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (set) {
      const [, key, op, values] = set as unknown as [string, string, string, string];
      const allowed = new Set(values.split(',').map((v) => v.trim()));
      requirements.push((o) => {
        const value = o.metadata.labels?.[key];
        if (op === 'in') return value !== undefined && allowed.has(value);
        return value === undefined || !allowed.has(value);
      });
      continue;
    }
    const equality = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
    if (equality) {
      const [, key, op, value] = equality as unknown as [string, string, string, string];
      requirements.push((o) =>
        op === '!=' ? o.metadata.labels?.[key] !== value : o.metadata.labels?.[key] === value,
      );
      continue;
    }
    const exists = /^(!?)([\w./-]+)$/.exec(term);
    if (exists) {
      const [, not, key] = exists as unknown as [string, string, string];
      requirements.push((o) => (o.metadata.labels?.[key] !== undefined) !== (not === '!'));
      continue;
    }
    throw errors.badRequest(
      `unable to parse requirement: invalid label selector: ${JSON.stringify(term)}`,
    );
  }
  return (o) => requirements.every((r) => r(o));
}

/** `a in (x,y),b=c` split at the commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * A field selector, restricted like the real server's to the labels each resource supports
 * (metadata.name, metadata.namespace, and the resource's own): any other is the real 400
 * "field label not supported", which a lenient fake would hide from mend.
 */
export function parseFieldSelector(type: ResourceType, text: string | null): Matcher {
  if (text === null || text.trim() === '') return always;
  const supported = new Set(['metadata.name', 'metadata.namespace', ...(type.fieldLabels ?? [])]);
  const requirements: Matcher[] = [];
  for (const part of text.split(',')) {
    const term = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
    if (!term) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const [, label, op, value] = term as unknown as [string, string, string, string];
    if (!supported.has(label)) {
      throw errors.badRequest(`field label not supported: ${label}`);
    }
    requirements.push((o) => {
      const actual = fieldValue(o, label);
      return op === '!=' ? actual !== value : actual === value;
    });
  }
  return (o) => requirements.every((r) => r(o));
}

/** A field as the server's GetAttrs renders it: text, with '' for an unset field. */
function fieldValue(object: KubeObject, label: string): string {
  if (label === 'source') return String(field(object, 'source', 'component') ?? '');
  const value = field(object, ...label.split('.'));
  if (value === undefined || value === null) return label === 'spec.unschedulable' ? 'false' : '';
  return String(value);
}

/** A Deployment's or ReplicaSet's `spec.selector.matchLabels` as a label selector string. */
export function selectorText(selector: unknown): string {
  const labels = (field(selector, 'matchLabels') ?? {}) as Record<string, string>;
  const expressions = (field(selector, 'matchExpressions') ?? []) as {
    key: string;
    operator: string;
    values?: string[];
  }[];
  const terms = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of expressions) {
    if (e.operator === 'In') terms.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.join(',');
}

/** Whether an object's labels satisfy a LabelSelector object. */
export function selects(selector: unknown, object: KubeObject): boolean {
  const text = selectorText(selector);
  return text !== '' && parseLabelSelector(text)(object);
}
