import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCa, makeLeaf } from '../../support/openssl-certificates.ts';

export interface ServingCertificates {
  /** The throw-away CA that signed the serving certificate: what a kubeconfig trusts. */
  caPem: string;
  keyPem: string;
  certPem: string;
}

/**
 * A fresh CA and a serving certificate for 127.0.0.1, ::1, localhost and the in-cluster name,
 * made in a temporary folder that is removed again: only the PEM texts are kept, in memory.
 */
export async function makeServingCertificates(days = 30): Promise<ServingCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-kube-sim-tls-'));
  try {
    const ca = await makeCa(dir, 'mend-simulated-cluster-ca', days);
    const server = await makeLeaf(dir, ca, 'kube-apiserver', {
      use: 'server',
      subjectAltName: 'IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc',
      days,
    });
    const [caPem, keyPem, certPem] = await Promise.all([
      readFile(ca.cert, 'utf8'),
      readFile(server.key, 'utf8'),
      readFile(server.cert, 'utf8'),
    ]);
    return { caPem, keyPem, certPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
