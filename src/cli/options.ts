import { userInfo } from 'node:os';
import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { parseDuration } from '../config/kinds/duration.ts';
import {
  DEFAULT_LISTEN,
  type ListenAddress,
  parseListenAddress,
} from '../config/listen-address.ts';
import { cliActor } from '../store/audit-vocabulary.ts';

/** Parse a positive integer option, with an error commander prints as a usage error (exit 2). */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(`${name} must be a whole number >= 0, found "${value}"`);
    }
    return n;
  };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** Parse a size in bytes: `1048576`, `512KiB`, `64MiB`, `2GiB`. */
export function byteSize(name: string) {
  return (value: string): number => {
    const match = /^(\d+)(B|KiB|MiB|GiB)?$/.exec(value);
    const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2] ?? '']! : Number.NaN;
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new InvalidArgumentError(
        `${name} must be a size such as 1048576, 512KiB, 64MiB or 2GiB, found "${value}"`,
      );
    }
    return bytes;
  };
}

/** Parse host:port (IPv6 in brackets). */
export function listenAddress(value: string): ListenAddress {
  const address = parseListenAddress(value);
  if (address === undefined) {
    throw new InvalidArgumentError(`expected HOST:PORT such as 127.0.0.1:9797, found "${value}"`);
  }
  return address;
}

export const DEFAULT_DB = '.mend/mend.db';

/**
 * `--db`, for every command that takes a store: an SQLite file, or a `postgres://` URL; the
 * MEND_DB variable when it is not given (so a URL with a password need not be on a command line
 * that `ps` shows). The help never shows the variable's value.
 */
export function dbOption(
  description = 'store: an SQLite file, or a postgres:// URL',
  fallback = DEFAULT_DB,
) {
  return new Option('--db <store>', description).env('MEND_DB').default(fallback);
}
export { DEFAULT_LISTEN };

/** A point in time: an RFC 3339 timestamp, or a duration ago ("7d", "24h", "30m"). */
export function timeOption(now: () => number = Date.now) {
  return (value: string): number => {
    const ago = parseDuration(value);
    if (ago !== undefined) return now() - ago;
    const at = Date.parse(value);
    if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
      throw new InvalidArgumentError(
        `expected a duration ago such as 7d, 24h, 30m or a time such as 2026-11-24T10:00:00Z, found "${value}"`,
      );
    }
    return at;
  };
}

/**
 * Who the mend command's actions are recorded as, in the audit log and the journal: `cli:USER`,
 * the OS user running it. Not an option: the log says who ran the command, not who it claims to be.
 */
export function cliUserActor(): string {
  try {
    return cliActor(userInfo().username);
  } catch {
    return cliActor('unknown');
  }
}
