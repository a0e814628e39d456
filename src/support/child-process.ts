import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * What exec probes and runbook exec steps share about the processes they start (spawned with
 * `detached: true`, so each is the leader of its own process group; process-tree.ts finds those
 * that leave it).
 */

/** Kill the whole group: a command's own children (a shell's background jobs) die with it. */
export function killProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Why a command could not start, in words a person can act on. */
export function describeSpawnError(
  error: NodeJS.ErrnoException,
  spawned: { program: string; cwd?: string | undefined; uid?: number | undefined },
): string {
  const { program, cwd, uid } = spawned;
  // spawn reports a missing cwd as ENOENT on the program; tell the two apart.
  if (cwd !== undefined && !existsSync(cwd)) return `working directory does not exist: ${cwd}`;
  if (error.code === 'ENOENT') return `command not found: ${program}`;
  if (error.code === 'EACCES') return `permission denied: ${program}`;
  if (error.code === 'EPERM' && uid !== undefined) {
    return `not permitted to run ${program} as uid ${uid}: mend must run as root to use runAs`;
  }
  return `cannot start ${program}: ${error.message}`;
}
