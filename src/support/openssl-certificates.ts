import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Throw-away certificates made with openssl (argv, no shell): Node makes keys but not X.509
 * certificates. For the simulated cluster's serving certificate and for tests of TLS and mTLS.
 */
const run = promisify(execFile);

/** PEM files of one certificate and its key. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

async function openssl(args: string[], why: string): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    throw new Error(
      `cannot make ${why}: openssl ${args[0]} failed: ${(err as Error).message} (is openssl installed?)`,
    );
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A certificate authority in DIR (NAME.crt, NAME.key), valid DAYS. */
export async function makeCa(dir: string, name: string, days = 30): Promise<CertificateFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      files.key,
      '-out',
      files.cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ],
    `the certificate authority ${name}`,
  );
  return files;
}

export interface LeafOptions {
  use: 'server' | 'client';
  /** A server's names, as openssl writes them. Default: 127.0.0.1 and localhost. */
  subjectAltName?: string;
  days?: number;
}

/** A certificate signed by CA, in DIR (NAME.crt, NAME.key): a server's, or a client's as CN=NAME. */
export async function makeLeaf(
  dir: string,
  ca: CertificateFiles,
  name: string,
  options: LeafOptions,
): Promise<CertificateFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const request = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  const why = `the ${options.use} certificate ${name}`;
  await openssl(
    ['req', ...EC_KEY, '-keyout', files.key, '-out', request, '-subj', `/CN=${name}`],
    why,
  );
  await writeFile(
    extensions,
    options.use === 'server'
      ? `subjectAltName=${options.subjectAltName ?? 'IP:127.0.0.1,DNS:localhost'}\nextendedKeyUsage=serverAuth\n`
      : 'extendedKeyUsage=clientAuth\n',
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      files.cert,
      '-days',
      String(options.days ?? 30),
      '-extfile',
      extensions,
    ],
    why,
  );
  return files;
}
