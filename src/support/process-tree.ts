import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { killProcessGroup } from './child-process.ts';

/**
 * Everything one command started, found and killed when the command ends or is stopped.
 *
 * A command runs as the leader of its own process group, and killing the group kills what it
 * started, unless a child left the group: `setsid`, a daemon's double fork. Those used to be
 * orphaned (one `sleep` per probe run survived). So each command's environment carries a tag
 * (`MEND_PROCESS_TAG`, random per run) that every descendant inherits, `setsid` or not, and
 * after the group is killed mend kills every process whose environment holds the tag, read from
 * /proc/PID/environ. Unlike following parent pids, this finds a child whose parent already
 * exited (it was reparented to init).
 *
 * Limits: Linux only (elsewhere, or without a readable /proc, only the group is killed); a
 * descendant that both left the group and replaced its environment (`env -i`, `su -`, sudo
 * without -E) is not found, nor one whose environ this user may not read (a setuid program,
 * when mend is not root); a process forking faster than the sweeps (up to 10 of them, until
 * one finds nothing) can outrun them. A cgroup per run would have none of these limits; it is not
 * used because it needs a writable, delegated cgroup v2 tree (read-only where this was built),
 * and Node cannot start a child inside one: a wrapper would have to move itself in before it
 * runs the command. README, Running mend, says the same for operators.
 */
export const TAG_VARIABLE = 'MEND_PROCESS_TAG';

const MAX_SWEEPS = 10;
const READ_CONCURRENCY = 32;

export class ProcessTree {
  readonly tag = randomBytes(12).toString('hex');
  #killing: Promise<number> | undefined;

  /** The command's environment, with the tag its descendants inherit. */
  env(base: Record<string, string>): Record<string, string> {
    return { ...base, [TAG_VARIABLE]: this.tag };
  }

  /**
   * Kill the group now, then every process that still carries the tag. Resolves with how many
   * tagged processes were killed; a second call waits for the same sweep.
   */
  kill(child: ChildProcess): Promise<number> {
    killProcessGroup(child);
    // Never rejects: the probe or step that waits for it must end whatever /proc does.
    this.#killing ??= killTagged(`${TAG_VARIABLE}=${this.tag}`).catch(() => 0);
    return this.#killing;
  }
}

let procReadable: Promise<boolean> | undefined;

/** Whether this system has a /proc where a process's environment can be read (Linux). */
export function canFindTagged(): Promise<boolean> {
  procReadable ??=
    process.platform === 'linux'
      ? readFile('/proc/self/environ').then(
          () => true,
          () => false,
        )
      : Promise.resolve(false);
  return procReadable;
}

async function killTagged(entry: string): Promise<number> {
  if (!(await canFindTagged())) return 0;
  const needle = Buffer.from(`${entry}\0`);
  let killed = 0;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    const found = await findTagged(needle);
    for (const pid of found) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // ESRCH: it exited meanwhile.
      }
    }
    if (found.length === 0) break;
  }
  return killed;
}

/** Every live process whose environment holds `needle` (a zombie's environment reads empty). */
async function findTagged(needle: Buffer): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  for (let i = 0; i < pids.length; i += READ_CONCURRENCY) {
    const batch = pids.slice(i, i + READ_CONCURRENCY).filter((pid) => pid !== process.pid);
    const environs = await Promise.all(
      batch.map((pid) => readFile(`/proc/${pid}/environ`).catch(() => undefined)),
    );
    batch.forEach((pid, j) => {
      if (environs[j]?.includes(needle)) found.push(pid);
    });
  }
  return found;
}
