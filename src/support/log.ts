import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { terminalBlock, terminalLine } from './terminal-text.ts';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Force human-readable output; by default only when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests); stdout by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured JSON logs for machines; readable lines when a person is watching a terminal.
 * Pretty printing runs in-process (not a transport thread) so lines keep their order with
 * whatever else the command prints.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.MEND_LOG_LEVEL ?? 'info';
  const terminal = process.stdout.isTTY === true && !process.env.CI;
  const usePretty = options.pretty ?? terminal;
  const settings = { level, base: undefined, serializers: { err: errorSerializer(level) } };
  if (!usePretty) return options.destination ? pino(settings, options.destination) : pino(settings);
  return pino(
    { ...settings, hooks: { streamWrite: showControls } },
    pretty({
      colorize: terminal,
      translateTime: 'HH:MM:ss.l',
      // The structured fields repeat what the line says; JSON keeps them for machines.
      ignore: 'pid,hostname,signal,incident,verdict,reason,lines',
      sync: true,
    }),
  );
}

/**
 * Pretty lines are for a person, and pino-pretty prints a record's strings as they are (it drops
 * C0 controls from the message, keeps its newlines, and leaves C1 controls in fields): so before
 * it reads a record, every string shows its controls (terminal-text.ts), the message on one line.
 * A stack keeps its lines. JSON lines need none of this: JSON escapes what it holds.
 */
function showControls(line: string): string {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const shown = showControlsIn(record, '') as Record<string, unknown>;
    // mend's own text of several lines (the start-up summary: `log.info(LINES, text)`) keeps
    // its line breaks; every other control still shows.
    if (record.lines === true && typeof record.msg === 'string')
      shown.msg = terminalBlock(record.msg);
    return `${JSON.stringify(shown)}\n`;
  } catch {
    return line;
  }
}

/** Log fields for a message of mend's own that is several lines: pretty output keeps them. */
export const LINES = { lines: true } as const;

function showControlsIn(value: unknown, key: string): unknown {
  if (typeof value === 'string')
    return key === 'stack' ? terminalBlock(value) : terminalLine(value);
  if (Array.isArray(value)) return value.map((item) => showControlsIn(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [terminalLine(k), showControlsIn(v, k)]),
    );
  }
  return value;
}

/**
 * An error as the log shows it: its type, message, code and causes. Stacks are for whoever
 * debugs mend itself, so they are logged at the debug and trace levels only.
 */
function errorSerializer(level: string): (err: unknown) => unknown {
  if (level === 'debug' || level === 'trace') {
    return (err) => (err instanceof Error ? pino.stdSerializers.err(err) : err);
  }
  const brief = (err: unknown, depth = 0): unknown => {
    if (!(err instanceof Error)) return err;
    const code = (err as NodeJS.ErrnoException).code;
    return {
      type: err.name,
      message: err.message,
      ...(code !== undefined ? { code } : {}),
      ...(err.cause !== undefined && depth < 5 ? { cause: brief(err.cause, depth + 1) } : {}),
    };
  };
  return (err) => brief(err);
}
