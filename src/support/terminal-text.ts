/**
 * Text mend did not write (probe and command output, errors a server sent, a param, a log line)
 * made safe to show a person. A terminal obeys control characters: `ESC]0;title BEL` sets the
 * window title, `ESC[2J` clears the screen, `ESC[31m` colours a fake status line, a carriage
 * return overwrites one, a newline in a one-line field starts a line that looks like mend's own.
 * Each one is shown visibly instead, as a C-style escape (`\e`, `\n`, `\x01`, `\u009b`).
 *
 * Used where text leaves for a person (tables, the live view, reports, pretty logs), never when
 * it is recorded: the store keeps what happened, JSON output stays JSON. A backslash is left as it
 * is, so escaping twice changes nothing (a literal `\e` in the text reads the same as an escaped
 * ESC; neither does anything to the terminal).
 */

/**
 * C0 controls, DEL, C1 controls (U+0080-U+009F: `U+009B` is a one-character CSI for some
 * terminals), and the Unicode controls that move text without being seen: line and paragraph
 * separators, and bidirectional marks, embeddings, overrides and isolates ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\u001b': '\\e',
};

function visible(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

/** One line (a table cell, a status line, an error): every control visible, newlines too. */
export function terminalLine(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * A block of lines (a command's output): newlines and tabs kept, CRLF read as a newline, every
 * other control visible (a lone CR too: it would let a line overwrite the one shown).
 */
export function terminalBlock(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(CONTROL, (char) => (char === '\n' || char === '\t' ? char : visible(char)));
}
