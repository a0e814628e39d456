import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MEND = fileURLToPath(new URL('../../bin/mend.js', import.meta.url));

/** A real `mend` process, with its output collected so tests can wait for lines. */
export class MendProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [MEND, ...args], {
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** JSON log lines printed so far. */
  logs(): { msg: string; level: number; [key: string]: unknown }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  }

  /**
   * Wait until `count` log messages match (the last one is returned), or fail with everything
   * printed so far.
   */
  async waitForLog(pattern: RegExp, timeoutMs = 10_000, count = 1): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hits = this.logs().filter((line) => pattern.test(line.msg));
      if (hits.length >= count) return hits[count - 1]!.msg;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(
      `no ${count} log line(s) matching ${pattern} within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
    );
  }

  countLogs(pattern: RegExp): number {
    return this.logs().filter((line) => pattern.test(line.msg)).length;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}

/** Run `mend` to completion; killed (code null) if it is still running after `timeoutMs`. */
export async function runMend(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const mend = new MendProcess(args, options.env);
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => mend.kill('SIGKILL'), options.timeoutMs);
  const code = await mend.exited;
  clearTimeout(timer);
  return { code, stdout: mend.stdout, stderr: mend.stderr };
}
