import { InvalidArgumentError } from '@commander-js/extra-typings';

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

/** Parse host:port (IPv6 in brackets). */
export function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new InvalidArgumentError(`expected HOST:PORT such as 127.0.0.1:9797, found "${value}"`);
  }
  return { host: match[1] ?? match[2]!, port };
}

export const DEFAULT_DB = '.mend/mend.db';
export const DEFAULT_LISTEN = '127.0.0.1:9797';
