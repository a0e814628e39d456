import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Force human-readable output; by default only when stdout is a terminal. */
  pretty?: boolean;
}

/**
 * Structured JSON logs for machines; readable lines when a person is watching a terminal.
 * Pretty printing runs in-process (not a transport thread) so lines keep their order with
 * whatever else the command prints.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.MEND_LOG_LEVEL ?? 'info';
  const usePretty = options.pretty ?? (process.stdout.isTTY === true && !process.env.CI);
  if (!usePretty) return pino({ level, base: undefined });
  return pino(
    { level, base: undefined },
    pretty({
      colorize: true,
      translateTime: 'HH:MM:ss.l',
      ignore: 'pid,hostname,signal',
      sync: true,
    }),
  );
}
