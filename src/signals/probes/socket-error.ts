/**
 * One-line descriptions of network failures. Node's own messages lack the peer or the moment
 * ("read ECONNRESET"); these name both, so the line alone tells an operator where to look.
 */
export function describeSocketError(error: unknown, peer: string, doing: string): string {
  const err = error as NodeJS.ErrnoException & { reason?: unknown };
  const code = err.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return `connect ${code} ${peer}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset by ${peer} while ${doing}`;
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    const why = typeof err.reason === 'string' ? err.reason : lastPart(err.message);
    return `TLS handshake with ${peer} failed: ${why}`;
  }
  return `${firstLine(err.message ?? String(error))} (${peer}, while ${doing})`;
}

/** A failed DNS query, with the resolver's code translated. */
export function describeDnsError(error: unknown, host: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const meaning: Record<string, string> = {
    ENOTFOUND: 'no such host',
    ENODATA: 'no address records',
    EAI_AGAIN: 'temporary resolver failure',
    ESERVFAIL: 'the DNS server failed',
  };
  const words = meaning[code];
  return `DNS lookup of ${host} failed: ${code || firstLine(String(error))}${words ? ` (${words})` : ''}`;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}

/** OpenSSL messages end in the useful part: "...:SSL routines::wrong version number". */
function lastPart(message: string): string {
  const line = firstLine(message);
  const cut = line.lastIndexOf('::');
  return cut === -1 ? line : line.slice(cut + 2);
}
