import type { TLSSocket } from 'node:tls';
import type { TlsFacts } from '../observation.ts';

const DAY_MS = 86_400_000;

/** Version and leaf certificate expiry of an established TLS connection. */
export function readTlsFacts(socket: TLSSocket, probeStartedAt: number): TlsFacts {
  const facts: TlsFacts = {};
  const version = socket.getProtocol();
  if (version) facts.version = version;
  const notAfter = socket.getPeerX509Certificate()?.validToDate.getTime();
  if (notAfter !== undefined && Number.isFinite(notAfter)) {
    facts.certNotAfter = notAfter;
    facts.certDaysLeft = Math.floor((notAfter - probeStartedAt) / DAY_MS);
  }
  return facts;
}

/**
 * Why the server's certificate was not trusted, in words, with the setting that changes it.
 * Node gives an OpenSSL code ("DEPTH_ZERO_SELF_SIGNED_CERT") or its own name-check code.
 */
export function describeCertificateError(code: string, peer: string, name: string): string {
  const words: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate; set tls.caFile to trust it',
    SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain; set tls.caFile to trust it',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'signed by an unknown authority; set tls.caFile',
    UNABLE_TO_GET_ISSUER_CERT: 'signed by an unknown authority; set tls.caFile',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'signed by an unknown authority; set tls.caFile',
    CERT_HAS_EXPIRED: 'certificate has expired',
    CERT_NOT_YET_VALID: 'certificate is not valid yet',
    ERR_TLS_CERT_ALTNAME_INVALID: `certificate is not valid for ${name}; set tls.serverName?`,
  };
  return `TLS certificate of ${peer} rejected: ${words[code] ?? code}`;
}
