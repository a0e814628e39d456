import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openssl = (args: string[]) => promisify(execFile)('openssl', args);

/** PEM files of one certificate and its key. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** A throw-away certificate authority in DIR, valid 30 days. */
export async function makeCa(dir: string, name: string): Promise<CertificateFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  return files;
}

/**
 * A leaf certificate signed by CA, for a server on 127.0.0.1 and localhost or (`client`) for a
 * client authenticating as CN.
 */
export async function makeLeaf(
  dir: string,
  ca: CertificateFiles,
  name: string,
  use: 'server' | 'client',
): Promise<CertificateFiles> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const request = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  await openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    files.key,
    '-out',
    request,
    '-subj',
    `/CN=${name}`,
  ]);
  await writeFile(
    extensions,
    use === 'server'
      ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
      : 'extendedKeyUsage=clientAuth\n',
  );
  await openssl([
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
    '30',
    '-extfile',
    extensions,
  ]);
  return files;
}
