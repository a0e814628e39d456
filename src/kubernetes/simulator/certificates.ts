import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface ServingCertificates {
  /** The throw-away CA that signed the serving certificate: what a kubeconfig trusts. */
  caPem: string;
  keyPem: string;
  certPem: string;
}

const run = promisify(execFile);

/**
 * A fresh CA and a serving certificate for 127.0.0.1, ::1 and localhost, made with openssl
 * (argv, no shell) in a temporary folder that is removed again. Node can make keys but not
 * X.509 certificates, so openssl it is, as the TLS probe tests do.
 */
export async function makeServingCertificates(days = 30): Promise<ServingCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-kube-sim-tls-'));
  try {
    const at = (name: string) => join(dir, name);
    const openssl = (args: string[]) =>
      run('openssl', args).catch((err: Error) => {
        throw new Error(
          `cannot make the simulator's TLS certificate: openssl ${args[0]} failed: ${err.message} (is openssl installed?)`,
        );
      });
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      at('ca.key'),
      '-out',
      at('ca.crt'),
      '-days',
      String(days),
      '-subj',
      '/CN=mend-simulated-cluster-ca',
    ]);
    await openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      at('server.key'),
      '-out',
      at('server.csr'),
      '-subj',
      '/CN=kube-apiserver',
    ]);
    await writeFile(
      at('ext.cnf'),
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      at('server.csr'),
      '-CA',
      at('ca.crt'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-out',
      at('server.crt'),
      '-days',
      String(days),
      '-extfile',
      at('ext.cnf'),
    ]);
    const [caPem, keyPem, certPem] = await Promise.all([
      readFile(at('ca.crt'), 'utf8'),
      readFile(at('server.key'), 'utf8'),
      readFile(at('server.crt'), 'utf8'),
    ]);
    return { caPem, keyPem, certPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
