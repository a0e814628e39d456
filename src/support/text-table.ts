import { terminalLine } from './terminal-text.ts';

/**
 * A plain table as `kubectl get` prints one: upper-case headers, columns padded with spaces.
 * Every cell is one line with its controls shown (terminal-text.ts): a cell may hold what a probe
 * target or a command said.
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const shown = rows.map((row) => row.map(terminalLine));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...shown.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]! + 3)))
      .join('')
      .trimEnd();
  return `${[line(headers), ...shown.map(line)].join('\n')}\n`;
}
