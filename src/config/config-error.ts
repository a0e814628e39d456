import { terminalLine } from '../support/terminal-text.ts';

/** A position in a config file. line and col are 1-based; 0 means "the file as a whole". */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/**
 * One problem in the configuration, located precisely enough for an editor to jump to it.
 * Plain data (no stack): config errors are the user's to fix, not mend's to debug.
 */
export class ConfigError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The field, as `spec.checks[0].periodSeconds`; empty for a problem with the file itself. */
  readonly path: string;
  readonly message: string;

  constructor(at: SourcePosition, path: string, message: string) {
    this.file = at.file;
    this.line = at.line;
    this.col = at.col;
    this.path = path;
    this.message = message;
  }

  /** `FILE:LINE:COL: path: message`, the form compilers use, so editors can link it. */
  format(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}:${this.col}` : this.file;
    return this.path === ''
      ? `${where}: ${this.message}`
      : `${where}: ${this.path}: ${this.message}`;
  }

  toJSON(): SourcePosition & { path: string; message: string } {
    const { file, line, col, path, message } = this;
    return { file, line, col, path, message };
  }
}

export function compareErrors(a: ConfigError, b: ConfigError): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.col !== b.col) return a.col - b.col;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

export function sortErrors(errors: readonly ConfigError[]): ConfigError[] {
  return [...errors].sort(compareErrors);
}

/**
 * One line per error, sorted by file, line and column; `more` errors that were only counted
 * (limits.ts `maxErrors`) are one line at the end. For a person: an error quotes the config's
 * values, so each line shows its controls (a C1 CSI in a YAML string survives JSON quoting).
 */
export function formatErrors(errors: readonly ConfigError[], more = 0): string {
  const lines = sortErrors(errors).map((error) => terminalLine(error.format()));
  if (more > 0) {
    lines.push(
      `… and ${more.toLocaleString('en-US')} more error${more === 1 ? '' : 's'} (only the first ${errors.length} are shown: fix these and validate again)`,
    );
  }
  return lines.join('\n');
}
