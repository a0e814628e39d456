/**
 * What a play did, read from the JSON that Ansible's `ansible.posix.json` stdout callback prints
 * (never from its screen text): per host the play's stats, the tasks that failed with their
 * messages, and the changes with their diffs. Everything kept is bounded here; the journal
 * writer redacts it like any step's output.
 */

/** One host's stats for the whole play, as Ansible's recap counts them. */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface TaskFailure {
  host: string;
  task: string;
  /** `failed` (the task failed) or `unreachable` (the host could not be reached). */
  how: 'failed' | 'unreachable';
  message: string;
}

export interface TaskChange {
  host: string;
  task: string;
  /** Lines removed (`-`) and added (`+`), as Ansible's `--diff` reported them; may be empty. */
  diff: string;
}

export interface PlayResult {
  /** Run in check mode: nothing changed, `changes` is what would have. */
  check: boolean;
  hosts: Record<string, HostStats>;
  failures: TaskFailure[];
  changes: TaskChange[];
  /** Failures or changes beyond the bounds, counted but not kept. */
  omitted: number;
}

export const ANSIBLE_LIMITS = { failures: 20, changes: 50, messageChars: 500, diffChars: 2000 };

/** The play's result from the callback's stdout; a string saying why when it is not that JSON. */
export function parsePlay(stdout: string, check: boolean): PlayResult | string {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    return stdout.trim() === '' ? 'printed no JSON result' : 'printed something other than JSON';
  }
  if (!isRecord(doc) || !isRecord(doc.stats)) return 'printed JSON without play stats';
  const hosts: Record<string, HostStats> = {};
  for (const [host, stats] of Object.entries(doc.stats)) {
    const n = (key: string) => (isRecord(stats) && typeof stats[key] === 'number' ? stats[key] : 0);
    hosts[host] = {
      ok: n('ok'),
      changed: n('changed'),
      unreachable: n('unreachable'),
      failed: n('failures'),
      skipped: n('skipped'),
      rescued: n('rescued'),
      ignored: n('ignored'),
    };
  }
  const result: PlayResult = { check, hosts, failures: [], changes: [], omitted: 0 };
  for (const play of Array.isArray(doc.plays) ? doc.plays : []) {
    for (const task of isRecord(play) && Array.isArray(play.tasks) ? play.tasks : []) {
      if (isRecord(task)) readTask(task, result);
    }
  }
  return result;
}

function readTask(task: Record<string, unknown>, into: PlayResult): void {
  const name = isRecord(task.task) && typeof task.task.name === 'string' ? task.task.name : '';
  for (const [host, outcome] of Object.entries(isRecord(task.hosts) ? task.hosts : {})) {
    if (!isRecord(outcome)) continue;
    const how = outcome.unreachable === true ? 'unreachable' : outcome.failed === true && 'failed';
    // A failure the play ignored (`ignore_errors`) is not one: the recap counts it as ignored.
    if (how && outcome.ignore_errors !== true) {
      if (into.failures.length < ANSIBLE_LIMITS.failures) {
        const message = bounded(messageOf(outcome), ANSIBLE_LIMITS.messageChars);
        into.failures.push({ host, task: name, how, message });
      } else into.omitted++;
    } else if (outcome.changed === true) {
      if (into.changes.length < ANSIBLE_LIMITS.changes) {
        into.changes.push({ host, task: name, diff: diffOf(outcome.diff) });
      } else into.omitted++;
    }
  }
}

/** The task's own words: `msg`, else the stderr of a command module, else its return code. */
function messageOf(outcome: Record<string, unknown>): string {
  for (const key of ['msg', 'stderr', 'stdout']) {
    const value = outcome[key];
    if (typeof value === 'string' && value.trim() !== '') return oneLine(value);
  }
  return typeof outcome.rc === 'number' ? `return code ${outcome.rc}` : 'no message';
}

/** Ansible's diff (a list of {before, after} or {prepared}) as - and + lines, bounded. */
function diffOf(diff: unknown): string {
  const lines: string[] = [];
  for (const part of Array.isArray(diff) ? diff : [diff]) {
    if (!isRecord(part)) continue;
    if (typeof part.prepared === 'string') lines.push(part.prepared.trimEnd());
    if (typeof part.before === 'string' || typeof part.after === 'string') {
      const before = linesOf(part.before);
      const after = linesOf(part.after);
      const kept = new Set(after);
      const had = new Set(before);
      for (const line of before) if (!kept.has(line)) lines.push(`- ${line}`);
      for (const line of after) if (!had.has(line)) lines.push(`+ ${line}`);
    }
  }
  return bounded(lines.join('\n'), ANSIBLE_LIMITS.diffChars);
}

/** The play in words: the recap per host, then what failed, then what changed (or would). */
export function describePlay(play: PlayResult): string {
  const out: string[] = [];
  for (const [host, s] of Object.entries(play.hosts)) {
    out.push(
      `${host}: ok=${s.ok} changed=${s.changed} unreachable=${s.unreachable} failed=${s.failed} skipped=${s.skipped} rescued=${s.rescued} ignored=${s.ignored}`,
    );
  }
  for (const f of play.failures) out.push(`${f.how}: ${f.host}: ${quoted(f.task)}: ${f.message}`);
  const verb = play.check ? 'would change' : 'changed';
  for (const c of play.changes) {
    out.push(`${verb}: ${c.host}: ${quoted(c.task)}`);
    if (c.diff !== '') out.push(...c.diff.split('\n').map((line) => `    ${line}`));
  }
  if (play.omitted > 0) out.push(`(${play.omitted} more failed or changed tasks not listed)`);
  return out.join('\n');
}

/** Why the play is not ok, in one line; undefined when every host passed. */
export function playError(play: PlayResult): string | undefined {
  const first = play.failures[0];
  const bad = Object.entries(play.hosts).filter(([, s]) => s.failed > 0 || s.unreachable > 0);
  if (first === undefined && bad.length === 0) return undefined;
  const where = bad.map(([host]) => host).join(', ');
  const task = first
    ? `; first: ${first.host}: ${quoted(first.task)} ${first.how}: ${first.message}`
    : '';
  return `the play failed on ${bad.length} host(s) (${where})${task}`;
}

const quoted = (task: string) => (task === '' ? 'a task' : JSON.stringify(task));

function linesOf(text: unknown): string[] {
  return typeof text === 'string' ? text.split('\n').filter((line) => line !== '') : [];
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function bounded(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars)}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
