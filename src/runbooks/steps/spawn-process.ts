import { spawn } from 'node:child_process';
import { BoundedOutput } from '../../signals/probes/bounded-output.ts';
import { describeSpawnError } from '../../support/child-process.ts';
import { ProcessTree } from '../../support/process-tree.ts';

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
  /** stdout and stderr interleaved as they arrived (stderr only with `stdoutBytes`), bounded. */
  output: string;
  /** stdout alone, bounded by `stdoutBytes`: for a program whose stdout is a document (JSON). */
  stdout?: string;
  /** Why it could not start, or that it was stopped. */
  error?: string;
}

/**
 * Run one program with argv and no shell, in its own process group, and collect its output up
 * to a limit. When `signal` fires, the whole group is killed (a restart script's children too),
 * and so are processes the program left behind when it exits, which would hold the pipes open;
 * so are those that left the group (`setsid`): see support/process-tree.ts. It settles once they
 * are gone.
 */
export function spawnProcess(
  spec: ProcessSpec,
  options: { signal: AbortSignal; maxOutputBytes: number; stdoutBytes?: number },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const program = spec.argv[0] ?? '';
    const output = new BoundedOutput(options.maxOutputBytes);
    const stdout =
      options.stdoutBytes === undefined ? undefined : new BoundedOutput(options.stdoutBytes);
    if (options.signal.aborted) {
      resolve({
        code: null,
        signal: null,
        output: '',
        error: `not started: ${reason(options.signal)}`,
      });
      return;
    }
    const tree = new ProcessTree();
    let contained: Promise<unknown> = Promise.resolve();
    let settled = false;
    let aborted = false;
    const finish = (result: Omit<ProcessResult, 'output'>): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      const text = output.text();
      const apart = stdout === undefined ? {} : { stdout: stdout.text() };
      void contained.then(() => resolve({ ...result, output: text, ...apart }));
    };
    const child = spawn(program, spec.argv.slice(1), {
      shell: false,
      env: tree.env(spec.env),
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    const onAbort = (): void => {
      aborted = true;
      contained = tree.kill(child);
      // A descendant the sweep cannot find (see process-tree.ts) may still hold the pipes: stop
      // reading them, so the step ends at its timeout rather than when that process does.
      void contained.then(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      });
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const collect = (chunk: Buffer): void => output.push(chunk);
    child.stdout?.on(
      'data',
      stdout === undefined ? collect : (chunk: Buffer) => stdout.push(chunk),
    );
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
    child.once('exit', () => {
      contained = tree.kill(child);
    });
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
