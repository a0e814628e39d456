import { spawn } from 'node:child_process';
import { BoundedOutput } from '../../signals/probes/bounded-output.ts';
import { describeSpawnError, killProcessGroup } from '../../support/child-process.ts';

export interface ProcessSpec {
  argv: readonly string[];
  env: Record<string, string>;
  cwd: string | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
}

export interface ProcessResult {
  /** The exit code; null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived, bounded, marked when cut. */
  output: string;
  /** Why it could not start, or that it was stopped. */
  error?: string;
}

/**
 * Run one program with argv and no shell, in its own process group, and collect its output up
 * to a limit. When `signal` fires, the whole group is killed (a restart script's children too),
 * and so are processes the program left behind when it exits, which would hold the pipes open.
 */
export function spawnProcess(
  spec: ProcessSpec,
  options: { signal: AbortSignal; maxOutputBytes: number },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const program = spec.argv[0] ?? '';
    const output = new BoundedOutput(options.maxOutputBytes);
    if (options.signal.aborted) {
      resolve({
        code: null,
        signal: null,
        output: '',
        error: `not started: ${reason(options.signal)}`,
      });
      return;
    }
    let settled = false;
    let aborted = false;
    const finish = (result: Omit<ProcessResult, 'output'>): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      resolve({ ...result, output: output.text() });
    };
    const child = spawn(program, spec.argv.slice(1), {
      shell: false,
      env: spec.env,
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    const onAbort = (): void => {
      aborted = true;
      killProcessGroup(child);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const collect = (chunk: Buffer): void => output.push(chunk);
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error) =>
      finish({
        code: null,
        signal: null,
        error: describeSpawnError(error, {
          program: spec.argv[0] ?? '',
          cwd: spec.cwd,
          uid: spec.uid,
        }),
      }),
    );
    child.once('exit', () => killProcessGroup(child));
    child.once('close', (code, signal) =>
      finish({
        code,
        signal,
        ...(aborted ? { error: `${reason(options.signal)}; killed its process group` } : {}),
      }),
    );
  });
}

function reason(signal: AbortSignal): string {
  const why: unknown = signal.reason;
  return why instanceof Error ? why.message : String(why);
}
