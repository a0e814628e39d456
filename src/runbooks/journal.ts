import type { ParamValue } from '../config/template.ts';
import type { OutcomeResult } from '../policy/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import type { JournalEntry, Store, StoredJournalEntry } from '../store/store.ts';

/**
 * The runbook journal: what a run records, and how a restarted mend reads it back. One run is
 * one heal command (runId = the command id); its rows, in order:
 *
 *   run  intent   params validated, runbook revision           key `${runId}:run`
 *   step intent   before each attempt: the exact command       key `${runId}:${section}:${index}:${attempt}`
 *   external run  a run the step started elsewhere (a pipeline), before it waits for it
 *                                                              key `${stepKey}:external:${seq}`
 *   step result   after it: status, exit code, output, time    same key as the intent, phase result
 *   run  result   the outcome reported to the engine           key `${runId}:run`
 *
 * The store keeps one row per (key, phase), so an intent journaled twice (a replica racing this
 * one) is detected, and a finished step is never started again. See README.md for the shapes.
 */

export type Section = 'evidence' | 'steps' | 'onFailure';

/** `interrupted`: mend stopped during the attempt and the step is idempotent, so it ran again. */
export type StepStatus = 'ok' | 'failed' | 'refused' | 'interrupted' | 'unknown';

export interface RunIntent {
  type: 'run';
  runbook: string;
  /** The runbook's revision: a run resumes only under the runbook it began with. */
  revision: string;
  service: string;
  /** The validated params, defaults applied (empty when they did not validate). */
  params: Record<string, ParamValue>;
  incidentId?: string;
  policy?: string;
  /** The signal that opened the incident, when there is one. */
  lead?: { fingerprint: string; check: string | null };
  /** Who started it: `controller`, or `cli:<user>` for `mend runbook run`. */
  actor: string;
}

export interface RunResult {
  type: 'run';
  outcome: OutcomeResult;
  detail: string;
  /** Refused before any step ran (params, rendered values): final, the engine does not retry. */
  refused?: true;
}

export interface StepIdentity {
  type: 'step';
  section: Section;
  index: number;
  name: string;
  kind: string;
  attempt: number;
}

export interface StepIntent extends StepIdentity {
  idempotent: boolean;
  /** What runs, rendered: argv and env names for exec, method and URL for http, ... */
  command: Record<string, unknown>;
}

/** One attempt of one step, as the incident timeline shows it. */
export interface StepRecord extends StepIdentity {
  status: StepStatus;
  error?: string;
  /** Exit code, HTTP status, or the signal that killed the command. */
  exitStatus?: number | string;
  /** Bounded, redacted stdout+stderr, response dump, log tail, ... */
  output?: string;
  /** Structured evidence: observations, response headers, verify rounds. */
  data?: unknown;
  /** verify could not tell (nothing to verify): the run ends unknown, without a rollback. */
  inconclusive?: boolean;
  startedAt: number;
  durationMs: number;
}

/**
 * What a step learned of a run it started on another system (a pipeline run, a queue item),
 * journaled the moment it learns it and before it waits: a mend that dies while the run goes on
 * finds the run here, follows it, and never starts a second one. `seq` counts the records of
 * one attempt from 1 (GitHub: dispatched, then the run found; Jenkins: queued, then the build).
 */
export interface ExternalRunRecord extends Omit<StepIdentity, 'type'> {
  type: 'external';
  seq: number;
  run: ExternalRun;
}

export interface ExternalRun {
  /** `github`, `gitlab`, `jenkins`. */
  system: string;
  /** How far the start has got: `dispatched`, `run`, `queued`, `build`, ... (the kind's words). */
  stage: string;
  /** The id to follow: the run, pipeline, or build number. */
  id?: string | number;
  /** The page a person opens; or the API URL mend follows (a Jenkins queue item). */
  url?: string;
  api?: string;
  /** The command id the start carried (an input or a variable): how it is found again. */
  commandId: string;
  at: number;
}

/** `GitHub run 42 started: https://...`: a record in words, for the live view and the stream. */
export function externalRunWords(run: ExternalRun): string {
  const id = run.id === undefined ? '' : ` ${run.id}`;
  const where = run.url ?? run.api;
  return `${run.system} ${run.stage}${id} (command id ${run.commandId})${where ? `: ${where}` : ''}`;
}

export type JournalPayload = RunIntent | RunResult | StepIntent | StepRecord | ExternalRunRecord;

export interface AttemptEntries {
  attempt: number;
  intent?: StepIntent;
  result?: StepRecord;
  /** The external runs this attempt recorded, in order (the last one is where it got to). */
  external: ExternalRunRecord[];
}

/** A run's journal as read back: the run rows, and each step's attempts in order. */
export class JournalView {
  runIntent: RunIntent | undefined;
  runResult: RunResult | undefined;
  readonly #attempts = new Map<string, AttemptEntries[]>();

  constructor(entries: readonly StoredJournalEntry[]) {
    for (const entry of entries) {
      const payload = entry.payload as JournalPayload;
      if (payload.type === 'run') {
        if (entry.phase === 'intent') this.runIntent = payload as RunIntent;
        else this.runResult = payload as RunResult;
        continue;
      }
      const list = this.#list(payload.section, payload.index);
      let slot = list.find((a) => a.attempt === payload.attempt);
      if (slot === undefined) {
        slot = { attempt: payload.attempt, external: [] };
        list.push(slot);
        list.sort((a, b) => a.attempt - b.attempt);
      }
      if (payload.type === 'external') slot.external.push(payload);
      else if (entry.phase === 'intent') slot.intent = payload as StepIntent;
      else slot.result = payload as StepRecord;
    }
  }

  attempts(section: Section, index: number): AttemptEntries[] {
    return this.#list(section, index);
  }

  /** Whether any step was journaled: the run has begun acting (or gathering evidence). */
  get hasSteps(): boolean {
    return [...this.#attempts.values()].some((list) => list.length > 0);
  }

  #list(section: Section, index: number): AttemptEntries[] {
    const key = `${section}:${index}`;
    let list = this.#attempts.get(key);
    if (list === undefined) {
      list = [];
      this.#attempts.set(key, list);
    }
    return list;
  }
}

export function stepKey(runId: string, step: Omit<StepIdentity, 'type'>): string {
  return `${runId}:${step.section}:${step.index}:${step.attempt}`;
}

export function externalKey(runId: string, record: ExternalRunRecord): string {
  return `${stepKey(runId, record)}:external:${record.seq}`;
}

export function runKey(runId: string): string {
  return `${runId}:run`;
}

/**
 * Appends a run's rows, redacted, and tells the live view. `created: false` means the row was
 * already there: another mend journaled this step first, so this one must not run it.
 */
export class JournalWriter {
  readonly #store: Pick<Store, 'appendJournal'>;
  readonly #runId: string;
  readonly #redactor: Redactor;
  readonly #now: () => number;
  readonly #onRecord: ((phase: JournalEntry['phase'], payload: JournalPayload) => void) | undefined;

  constructor(options: {
    store: Pick<Store, 'appendJournal'>;
    runId: string;
    redactor: Redactor;
    now: () => number;
    onRecord?: ((phase: JournalEntry['phase'], payload: JournalPayload) => void) | undefined;
  }) {
    this.#store = options.store;
    this.#runId = options.runId;
    this.#redactor = options.redactor;
    this.#now = options.now;
    this.#onRecord = options.onRecord;
  }

  async append(phase: JournalEntry['phase'], payload: JournalPayload): Promise<boolean> {
    const redacted = this.#redactor.deep(payload);
    const step = payload.type === 'run' ? undefined : payload;
    const { created } = await this.#store.appendJournal({
      runId: this.#runId,
      stepIndex: step ? step.index : -1,
      attempt: step ? step.attempt : 0,
      idempotencyKey:
        payload.type === 'external'
          ? externalKey(this.#runId, payload)
          : step
            ? stepKey(this.#runId, step)
            : runKey(this.#runId),
      phase,
      at: Math.round(this.#now()),
      payload: redacted,
    });
    if (created) this.#onRecord?.(phase, redacted);
    return created;
  }
}
