import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { ApiTlsSettings } from '../config/config.ts';

/** What the HTTPS server is given: the certificate pair and, for mutual TLS, the client CA. */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/** The options of an HTTPS server serving `tls`: client certificates required with a client CA. */
export function httpsOptions(tls: ServerTls) {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/**
 * Read the files of Settings `api.tls` and prove they make a context (the key matches the
 * certificate, the PEM parses) before anything is served with them: a renewal that went wrong
 * must fail here, with the file named, and not in the next client's handshake.
 */
export async function readServerTls(settings: ApiTlsSettings): Promise<ServerTls> {
  const read = async (field: keyof ApiTlsSettings, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(
        `Settings api.tls.${field}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  };
  const tls: ServerTls = {
    cert: await read('certFile', settings.certFile),
    key: await read('keyFile', settings.keyFile),
    ...(settings.clientCaFile ? { ca: await read('clientCaFile', settings.clientCaFile) } : {}),
  };
  try {
    createSecureContext(httpsOptions(tls));
  } catch (err) {
    throw new Error(
      `Settings api.tls: ${settings.certFile} and ${settings.keyFile}${settings.clientCaFile ? ` (client CA ${settings.clientCaFile})` : ''} do not make a TLS context: ${(err as Error).message}; check that the key belongs to the certificate and both are PEM`,
    );
  }
  return tls;
}
