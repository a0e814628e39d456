import { spawn } from 'node:child_process';

export interface PromtoolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run Prometheus's promtool (Debian's `prometheus` package; `.ci/run` installs it), with `input`
 * on stdin. A machine without it fails the test and says what to install: these checks are the
 * only proof that mend's exposition and rules are what Prometheus accepts.
 */
export function promtool(args: string[], input?: string): Promise<PromtoolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'promtool is not installed: install Debian\'s "prometheus" package (apt-get install --no-install-recommends prometheus), as .ci/run does',
            )
          : err,
      );
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {
      // promtool may exit before reading everything (a usage error): its exit code says it.
    });
    child.stdin.end(input ?? '');
  });
}
