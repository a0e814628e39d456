// Child processes of the benchmark: every one is registered so that all of them are stopped on
// normal exit, on error and on Ctrl-C, and their stdout is read as lines.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Resolves with the next stdout line that satisfies `accept` (default: any JSON object). */
  nextLine: (accept?: (line: string) => boolean, timeoutMs?: number) => Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has been reaped. */
  exited: Promise<number | string>;
  /** Last lines of stderr, for error messages. */
  stderrTail: () => string;
}

const isJsonObject = (line: string): boolean => line.trimStart().startsWith('{');

export function startChild(command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  running.add(child);
  const lines: string[] = [];
  const waiters: { accept: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const index = waiters.findIndex((waiter) => waiter.accept(line));
    if (index === -1) lines.push(line);
    else waiters.splice(index, 1)[0]?.resolve(line);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const name = [command, ...args].join(' ');
  return {
    process: child,
    pid: child.pid,
    exited,
    stderrTail: () => stderr.trim().split('\n').slice(-10).join('\n'),
    nextLine: (accept = isJsonObject, timeoutMs = 600_000) => {
      const index = lines.findIndex(accept);
      if (index !== -1) return Promise.resolve(lines.splice(index, 1)[0] ?? '');
      return new Promise((resolve, reject) => {
        const waiter = { accept, resolve: (line: string) => done(() => resolve(line)) };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no answer from ${name} in ${timeoutMs} ms`))),
          timeoutMs,
        );
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          const at = waiters.indexOf(waiter);
          if (at !== -1) waiters.splice(at, 1);
          settle();
        };
        waiters.push(waiter);
        exited.then((code) => {
          done(() =>
            reject(new Error(`${name} exited (${code}) before answering:\n${stderr.trim()}`)),
          );
        });
      });
    },
  };
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it is reaped. */
export async function stopChild(child: Child, graceMs = 2000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Registers cleanup work (temp dirs) to run at exit, whatever the reason. */
export function onCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort at exit.
    }
  }
  cleanups.clear();
}

let installed = false;

/** Makes sure every child is killed when this process ends, however it ends. */
export function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's processes\n`);
      killAll();
      process.exit(130);
    });
  }
}
