/**
 * HTML built by a tagged template that escapes every value put into it: labels, log lines,
 * command output and reasons are attacker-controlled text, so nothing reaches a page unescaped
 * unless it is itself `Html` made by this template. Attributes are always written in double
 * quotes, and the escape covers both quote characters, so a value cannot leave its attribute.
 */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** A value a template takes: text (escaped), HTML made by `html`, a list of them, or nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** A path part in a link: encoded for the URL; the template escapes it for the attribute. */
export function pathPart(text: string): string {
  return encodeURIComponent(text);
}

/**
 * Data for a page's script, in a block the browser never runs (`type="application/json"`: no
 * Content-Security-Policy question). Every `<` is written as `\u003c`, which JSON.parse reads
 * back as `<`, so no text in the data can close the block or open a comment.
 */
export function jsonData(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(/</g, '\\u003c');
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}
