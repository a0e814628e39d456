import { terminalBlock, terminalLine } from '../support/terminal-text.ts';

/**
 * Markdown that survives any text mend recorded: prose, table cells, code spans and blocks. The
 * report is pasted into a review and printed on a terminal, so recorded text (a probe target's
 * answer, a command's output, an error) is escaped for both: its controls shown
 * (terminal-text.ts), and in prose its Markdown made literal, so it cannot add a link, an image,
 * HTML or emphasis, or break out of the table or block it is in.
 */

/** Recorded text as literal prose on one line: no link, image, HTML, emphasis or code span. */
export function text(value: string): string {
  return (
    terminalLine(value)
      // A backslash before punctuation would escape it; the shown controls (`\e`) stay as they are.
      .replace(/\\(?=[!-/:-@[-`{-~])/g, '\\\\')
      .replace(/[`*_~<]/g, '\\$&')
      // `[text](url)` and `![alt](src)` need `](`; a bracket alone is text.
      .replace(/\]\(/g, ']\\(')
  );
}

/** A table cell: pipes escaped, lines joined, so one value never breaks the table. */
export function cell(value: string): string {
  return terminalLine(value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim()) || ' ';
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A fenced block whose fence is longer than any run of backticks in the text; tabs kept. */
export function codeBlock(value: string, language = 'text'): string {
  const shown = terminalBlock(value);
  const longest = Math.max(2, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${shown.replace(/\n$/, '')}\n${fence}`;
}

/** Inline code that may itself contain backticks; one line, its controls shown. */
export function code(value: string): string {
  const shown = terminalLine(value);
  const longest = Math.max(0, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${shown}${pad}${ticks}`;
}
