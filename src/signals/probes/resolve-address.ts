import type { LookupAddress } from 'node:dns';
import { dnsCache } from '../dns-cache.ts';
import { describeDnsError } from './socket-error.ts';

/**
 * Finds the address to dial, through the shared DNS cache. Calls back synchronously on a cache hit
 * (or an IP literal) so the common probe pays for no promise. The first address is used, in the
 * resolver's order, as blackbox_exporter does.
 */
export function resolveAddress(
  host: string,
  onAddress: (address: LookupAddress) => void,
  onError: (message: string) => void,
): void {
  const cached = dnsCache.peek(host);
  if (cached !== undefined) {
    pick(host, cached, onAddress, onError);
    return;
  }
  dnsCache.resolve(host).then(
    (addresses) => pick(host, addresses, onAddress, onError),
    (error: unknown) => onError(describeDnsError(error, host)),
  );
}

function pick(
  host: string,
  addresses: LookupAddress[],
  onAddress: (address: LookupAddress) => void,
  onError: (message: string) => void,
): void {
  const first = addresses[0];
  if (first === undefined) onError(`DNS lookup of ${host} returned no addresses`);
  else onAddress(first);
}

/** host:port as people write it, with brackets around IPv6. */
export function formatPeer(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
