/** An address to listen on, as given (`HOST:PORT`, `[IPV6]:PORT`) and as parts. */
export interface ListenAddress {
  host: string;
  port: number;
  /** As the operator wrote it, for messages. */
  text: string;
}

export const DEFAULT_LISTEN = '127.0.0.1:9797';

/** `HOST:PORT` or `[IPV6]:PORT` (port 0: any free port); undefined when it is neither. */
export function parseListenAddress(value: string): ListenAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port, text: value };
}
