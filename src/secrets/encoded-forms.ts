/**
 * The forms a secret takes when a command prints it encoded, as patterns to cut: a step that
 * runs `echo -n "$TOKEN" | base64`, `curl -u user:$TOKEN -v` (an `Authorization: Basic` header)
 * or builds a URL with the token in its query would otherwise record the secret in a form the
 * plain match does not see.
 */
export interface EncodedForm {
  pattern: RegExp;
  /** Length of the text it matches, for cutting the longest first. */
  length: number;
}

/**
 * base64 (standard and URL-safe alphabets, padded or not, wrapped in lines as `base64` and
 * `openssl base64` print it) at each of the three alignments the secret can have inside a longer
 * encoded string (`user:secret`), URL-encoding (any encoder: either case of hex, `+` or `%20` for
 * a space, reserved characters escaped or not) and the JSON string escape.
 */
export function encodedForms(secret: string, minLength: number): EncodedForm[] {
  const forms = [...base64Forms(secret), ...urlForm(secret), ...jsonForm(secret)];
  return forms.filter((form) => form.length >= minLength);
}

/** The first base64 character that depends on the secret's bytes only, by alignment. */
const FIRST_CLEAN = [0, 2, 3];

function base64Forms(secret: string): EncodedForm[] {
  const bytes = Buffer.from(secret);
  const forms: EncodedForm[] = [];
  // The whole value encoded, as `base64 <<<` or `echo "$X" | base64` (with its newline) print it.
  for (const whole of [bytes, Buffer.concat([bytes, Buffer.from('\n')])]) {
    const encoded = whole.toString('base64');
    forms.push(base64Form(encoded.replace(/=+$/, ''), true));
  }
  // Inside a longer encoded string: only the characters made of the secret's bits alone.
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const end = Math.floor(((shift + bytes.length) * 8) / 6);
    forms.push(base64Form(encoded.slice(FIRST_CLEAN[shift], end), false));
  }
  return forms;
}

/** A line break may fall between any two characters; `+/` may be `-_` (base64url). */
function base64Form(chars: string, padded: boolean): EncodedForm {
  const alphabet = (c: string) => (c === '+' ? '[+-]' : c === '/' ? '[/_]' : c);
  const body = [...chars].map(alphabet).join(LINE_BREAK);
  const padding = padded ? `(?:${LINE_BREAK}={1,2})?` : '';
  return { pattern: new RegExp(`${body}${padding}`, 'g'), length: chars.length };
}

const LINE_BREAK = '(?:\\r?\\n)?';

function urlForm(secret: string): EncodedForm[] {
  if (/^[A-Za-z0-9]*$/.test(secret)) return [];
  const chars = [...secret].map((c) => {
    if (/[A-Za-z0-9]/.test(c)) return c;
    const percent = [...Buffer.from(c)].map((byte) => `%${anyCaseHex(byte)}`).join('');
    return `(?:${escapeRegExp(c)}|${percent}${c === ' ' ? '|\\+' : ''})`;
  });
  return [{ pattern: new RegExp(chars.join(''), 'g'), length: secret.length }];
}

function anyCaseHex(byte: number): string {
  return [...byte.toString(16).padStart(2, '0')]
    .map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d))
    .join('');
}

function jsonForm(secret: string): EncodedForm[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  if (escaped === secret) return [];
  return [{ pattern: new RegExp(escapeRegExp(escaped), 'g'), length: escaped.length }];
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
