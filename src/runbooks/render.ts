import type { ParamValue, TemplatePart } from '../config/template.ts';
import { lookup, partsOf, Refusal, type TemplateValues } from './template-values.ts';

/**
 * Renderers: each inserts a value as data in the form its destination needs, and never lets the
 * destination re-parse it. The literal text around a reference is the runbook author's; only the
 * inserted values are checked.
 */

/** Plain text (an env value, a header value, a message). NUL is refused: nothing can carry it. */
export function renderText(text: string, values: TemplateValues, field: string): string {
  return insertEach(text, values, field, (value) => value);
}

/**
 * One argv element: whatever the values hold, the result is exactly this one element (spawn
 * takes argv as an array, no shell splits it). An element that would begin with "-" because of
 * an inserted value is refused, unless the value is a param declared with allowLeadingDash: a
 * value must never become an option of the program.
 */
export function renderArg(text: string, values: TemplateValues, field: string): string {
  return insertEach(text, values, field, (value, part, before) => {
    const leading = before === '' && value.startsWith('-');
    const allowed = part.ref.kind === 'param' && values.dashParams.has(part.ref.name);
    if (leading && !allowed) {
      throw new Refusal(
        `${field}: ${part.text} is ${JSON.stringify(value)}, which would start the argument with "-" (an option); declare the param with allowLeadingDash: true to allow it`,
      );
    }
    return value;
  });
}

/**
 * A URL: each value is one percent-encoded component (`/`, `?`, `&`, `#` and `%` cannot leave
 * it), and "." or ".." are refused because a URL parser would resolve them as path steps.
 */
export function renderUrl(text: string, values: TemplateValues, field: string): URL {
  const out = insertEach(text, values, field, (value, part) => {
    if (value === '.' || value === '..') {
      throw new Refusal(`${field}: ${part.text} is ${JSON.stringify(value)}, a path step`);
    }
    return encodeURIComponent(value);
  });
  let url: URL;
  try {
    url = new URL(out);
  } catch {
    throw new Refusal(`${field}: ${JSON.stringify(out)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Refusal(`${field}: expected an http or https URL, found ${url.protocol}`);
  }
  return url;
}

/**
 * A file path: each value is one path segment, so it can neither climb (`..`) nor go elsewhere
 * (`/`). The author's literal text decides the directory.
 */
export function renderPath(text: string, values: TemplateValues, field: string): string {
  return insertEach(text, values, field, (value, part) => {
    if (value.includes('/') || value === '.' || value === '..' || value === '') {
      throw new Refusal(
        `${field}: ${part.text} is ${JSON.stringify(value)}, expected one path segment (no "/", not "." or "..")`,
      );
    }
    return value;
  });
}

/**
 * A JSON body given as a YAML structure: strings are rendered as text and stay JSON strings,
 * so a value is escaped by JSON.stringify, never spliced into JSON text. A string that is exactly
 * one integer or boolean param becomes that number or boolean. Keys are literal.
 */
export function renderJson(value: unknown, values: TemplateValues, field: string): unknown {
  if (typeof value === 'string') {
    const parts = partsOf(value);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only !== undefined && typeof only !== 'string' && only.ref.kind === 'param') {
      const typed: ParamValue = lookup(only.ref, values);
      if (typeof typed !== 'string') return typed;
    }
    return renderText(value, values, field);
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => renderJson(item, values, `${field}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        renderJson(item, values, `${field}.${key}`),
      ]),
    );
  }
  return value;
}

function checked(value: string, ref: string, field: string): string {
  if (value.includes('\u0000')) throw new Refusal(`${field}: ${ref} holds a NUL character`);
  return value;
}

/** A reference in a template, with the text it was written as. */
type Reference = Exclude<TemplatePart, string>;

const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * A host or group name in an inventory list or an Ansible host pattern: each value is one name
 * (letters, digits, `_ . -`, not starting with `-`), so it cannot add a host (`,`), combine
 * patterns (`: ! &`) or widen one (`*`). The author's literal text may do all of that.
 */
export function renderHostPattern(text: string, values: TemplateValues, field: string): string {
  return insertEach(text, values, field, (value, part) => {
    if (!HOST_NAME.test(value)) {
      throw new Refusal(
        `${field}: ${part.text} is ${JSON.stringify(value)}, expected one host or group name (letters, digits, "_", ".", "-", not starting with "-")`,
      );
    }
    return value;
  });
}

/**
 * The one loop every renderer shares: the author's literal text as it is, each reference's value
 * (NUL refused) through `insert`, which checks it for its destination and returns it as inserted.
 * `before` is what is rendered so far.
 */
function insertEach(
  text: string,
  values: TemplateValues,
  field: string,
  insert: (value: string, part: Reference, before: string) => string,
): string {
  let out = '';
  for (const part of partsOf(text)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    out += insert(checked(String(lookup(part.ref, values)), part.text, field), part, out);
  }
  return out;
}
