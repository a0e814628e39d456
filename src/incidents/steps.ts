import type { StoredJournalEntry } from '../store/store.ts';
import { isRecord } from './record.ts';

/**
 * Runbook steps as the journal recorded them, read generically: the runbook executor owns the
 * payload (src/runbooks/journal.ts), so this takes what is there (intent, then result, per
 * idempotency key) and names the usual fields: the step's name and kind, its command (argv, or
 * method and URL), status, exit code, duration, error and output. Whatever else was recorded is
 * kept in `fields`. The run's own rows (`type: 'run'`, step index -1) are not steps: see runRows.
 */
export interface StepRun {
  runId: string;
  key: string;
  stepIndex: number;
  attempt: number;
  section: string | null;
  name: string | null;
  kind: string | null;
  command: string | null;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  exitCode: number | string | null;
  /** The step's own word for how it went (`ok`, `failed`, `refused`, `interrupted`, `unknown`). */
  status: string | null;
  ok: boolean | null;
  error: string | null;
  output: string | null;
  /** The phases journaled for it: `intent` alone means it started and has no result. */
  phases: string[];
  fields: Record<string, unknown>;
}

const NAMED = new Set([
  'section',
  'name',
  'step',
  'title',
  'kind',
  'type',
  'argv',
  'command',
  'method',
  'url',
  'exitCode',
  'exitStatus',
  'exit',
  'status',
  'durationMs',
  'ok',
  'error',
  'output',
  'stdout',
  'stderr',
]);

const STATUS_WORDS = new Set(['ok', 'failed', 'refused', 'interrupted', 'unknown', 'succeeded']);

/** A run's own rows: what it set out to do (runbook, params, actor) and how it ended. */
export interface RunRows {
  intent: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
}

function isRunRow(entry: StoredJournalEntry): boolean {
  return entry.stepIndex < 0 || (isRecord(entry.payload) && entry.payload.type === 'run');
}

export function runRows(entries: readonly StoredJournalEntry[]): RunRows {
  const rows = entries.filter(isRunRow);
  const payload = (phase: string) => {
    const found = rows.findLast((e) => e.phase === phase)?.payload;
    return isRecord(found) ? found : null;
  };
  return { intent: payload('intent'), result: payload('result') };
}

export function stepRuns(entries: readonly StoredJournalEntry[]): StepRun[] {
  const groups = new Map<string, StoredJournalEntry[]>();
  for (const entry of entries) {
    if (isRunRow(entry)) continue;
    // A run the step started elsewhere (`KEY:external:N`) belongs to the step's own row.
    const key = entry.idempotencyKey.replace(/:external:\d+$/, '');
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()].map(stepRun);
}

function isExternalRow(entry: StoredJournalEntry): boolean {
  return isRecord(entry.payload) && entry.payload.type === 'external';
}

function stepRun(entries: StoredJournalEntry[]): StepRun {
  const first = entries[0]!;
  const intent = entries.find((e) => e.phase === 'intent' && !isExternalRow(e));
  const result = entries.findLast((e) => e.phase === 'result');
  // Result fields win over intent fields of the same name. The external runs the step started
  // are kept whole, in order, as `external` (the last is where the step got to).
  const fields: Record<string, unknown> = {};
  const external: unknown[] = [];
  for (const entry of entries) {
    if (isExternalRow(entry)) external.push((entry.payload as Record<string, unknown>).run);
    else Object.assign(fields, flatten(entry.payload));
  }
  if (external.length > 0) fields.external = external;
  const text = (...keys: string[]) => {
    for (const key of keys) {
      const value = fields[key];
      if (typeof value === 'string' && value !== '') return value;
    }
    return null;
  };
  const startedAt = intent?.at ?? null;
  const endedAt = result?.at ?? null;
  const duration = fields.durationMs;
  // `status` is the step's verdict when it is a word, else a protocol status (HTTP 503).
  const word = typeof fields.status === 'string' && STATUS_WORDS.has(fields.status);
  const exit =
    fields.exitCode ?? fields.exitStatus ?? fields.exit ?? (word ? undefined : fields.status);
  const ok =
    typeof fields.ok === 'boolean'
      ? fields.ok
      : word
        ? fields.status === 'ok' || fields.status === 'succeeded'
        : null;
  const output =
    text('output') ?? ([text('stdout'), text('stderr')].filter(Boolean).join('\n') || null);
  return {
    runId: first.runId,
    key: first.idempotencyKey,
    stepIndex: first.stepIndex,
    attempt: first.attempt,
    section: text('section'),
    name: text('name', 'step', 'title'),
    kind: text('kind', 'type'),
    command: commandOf(fields),
    startedAt,
    endedAt,
    durationMs:
      typeof duration === 'number'
        ? duration
        : startedAt !== null && endedAt !== null
          ? endedAt - startedAt
          : null,
    exitCode: typeof exit === 'number' || typeof exit === 'string' ? exit : null,
    status: word ? (fields.status as string) : null,
    ok,
    error: text('error'),
    output,
    phases: entries.filter((e) => !isExternalRow(e)).map((e) => e.phase),
    fields: Object.fromEntries(Object.entries(fields).filter(([key]) => !NAMED.has(key))),
  };
}

/** The payload's fields, with those of nested objects (`intent: {...}`, `result: {...}`) lifted. */
function flatten(payload: unknown): Record<string, unknown> {
  if (!isRecord(payload)) return payload === undefined ? {} : { value: payload };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (isRecord(value) && !['headers', 'params', 'env', 'data'].includes(key)) {
      for (const [inner, innerValue] of Object.entries(value)) out[inner] ??= innerValue;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** `systemctl restart api`, `POST https://...`: what ran, as one line. */
function commandOf(fields: Record<string, unknown>): string | null {
  const argv = Array.isArray(fields.argv)
    ? fields.argv
    : Array.isArray(fields.command)
      ? fields.command
      : null;
  if (argv !== null) return argv.map((arg) => quote(String(arg))).join(' ');
  if (typeof fields.command === 'string') return fields.command;
  if (typeof fields.url === 'string') {
    return typeof fields.method === 'string' ? `${fields.method} ${fields.url}` : fields.url;
  }
  return null;
}

/** An argv element as a person would type it (for reading only: nothing runs it). */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `ok`, `failed: why`, `refused: why`, or that it never finished. */
export function stepResultWords(step: StepRun): string {
  if (!step.phases.includes('result')) return 'started, no result recorded';
  const word = step.status ?? (step.ok === null ? '' : step.ok ? 'ok' : 'failed');
  return [word, step.error ?? ''].filter(Boolean).join(': ');
}
