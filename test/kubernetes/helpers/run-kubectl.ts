import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { KUBECTL_DIR, type KubectlResult } from './kubectl.ts';

/**
 * Real kubectl (1.33) with a given kubeconfig (an admin's, a ServiceAccount token's), its cache
 * in `cache`, `stdin` fed to it (`apply -f -`).
 */
export function kubectlWith(kubeconfig: string, cache: string) {
  return (args: string[], stdin?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        join(KUBECTL_DIR, 'kubectl.1.33'),
        ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...args],
        { timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: cache, TZ: 'UTC' } },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(stdin ?? '');
    });
}
