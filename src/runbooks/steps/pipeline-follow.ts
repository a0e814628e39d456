import type { z } from 'zod';
import { duration, parseDuration } from '../../config/kinds/duration.ts';
import type { ExternalRun } from '../journal.ts';
import { rateLimitWait } from './http-poll.ts';
import { type Answer, type OutgoingRequest, send } from './http-send.ts';
import { abortReason, sleep } from './sleep.ts';
import {
  defineStepKind,
  type ExternalRuns,
  type StepContext,
  type StepKind,
  type StepResult,
} from './step-kind.ts';

/** The fields every pipeline kind shares: how often it asks how the run is going. */
export const followFields = {
  interval: duration({ min: '10ms', max: '10m' })
    .default('5s')
    .describe(
      'Wait before asking again how the run is going, doubled each time up to `maxInterval`. Default `5s`.',
    ),
  maxInterval: duration({ min: '10ms', max: '1h' })
    .default('1m')
    .describe('The longest wait between two requests. Default `1m`.'),
};

export interface FollowPace {
  intervalMs: number;
  maxIntervalMs: number;
}

export function followPace(spec: { interval: string; maxInterval: string }): FollowPace {
  return {
    intervalMs: parseDuration(spec.interval)!,
    maxIntervalMs: parseDuration(spec.maxInterval)!,
  };
}

/** What `read` makes of one JSON answer: the run is where the caller wants it, or not yet. */
export type Reading<T> = { done: T } | { state: string };

export type Followed<T> =
  | { ok: true; value: T; requests: number; waits: string[] }
  | { ok: false; error: string; requests: number; waits: string[] };

/**
 * Asks `request` until `read` says done, the answer is an error, or the step's signal fires (its
 * timeout is the deadline; mend stopping cuts it too). Between two requests the wait doubles up
 * to maxInterval; a rate-limited answer (429, 503, GitHub's 403 forms) waits at least what it
 * asks for and is asked again; so is a request that got no answer (a pipeline outlives a
 * network blip). Any other non-2xx answer ends it with the status and the body's start.
 */
export async function follow<T>(
  request: OutgoingRequest,
  read: (doc: unknown) => Reading<T>,
  pace: FollowPace,
  ctx: StepContext,
): Promise<Followed<T>> {
  let waitMs = pace.intervalMs;
  let state = 'no answer yet';
  const waits: string[] = [];
  for (let requests = 1; ; requests++) {
    const answer = await send(request, ctx.signal, ctx.maxOutputBytes);
    const after = `after ${requests} request${requests === 1 ? '' : 's'}`;
    if (ctx.signal.aborted) {
      return { ok: false, error: `${abortReason(ctx.signal)}; ${state} ${after}`, requests, waits };
    }
    let notBeforeMs = 0;
    if ('error' in answer) state = `no answer: ${answer.error}`;
    else {
      const limited = rateLimitWait(answer, ctx.now());
      if (limited !== null) {
        notBeforeMs = limited ?? 0;
        waits.push(`${answer.status} rate limited, waited ${Math.max(waitMs, notBeforeMs)} ms`);
      } else if (answer.status < 200 || answer.status > 299) {
        return { ok: false, error: refusedBy(request, answer), requests, waits };
      } else {
        const reading = readJson(answer.body, read);
        if (reading !== undefined && 'done' in reading) {
          return { ok: true, value: reading.done, requests, waits };
        }
        if (reading !== undefined) state = reading.state;
      }
    }
    const pause = Math.max(waitMs, notBeforeMs);
    waitMs = Math.min(waitMs * 2, pace.maxIntervalMs);
    if (!(await sleep(pause, ctx.signal))) {
      return { ok: false, error: `${abortReason(ctx.signal)}; ${state} ${after}`, requests, waits };
    }
  }
}

/**
 * Sends a request that starts something, once; a rate-limited answer (nothing was started) is
 * waited out and sent again, within the step's deadline. Anything else is the caller's to judge.
 */
export async function sendStart(
  request: OutgoingRequest,
  pace: FollowPace,
  ctx: StepContext,
): Promise<Answer> {
  let waitMs = pace.intervalMs;
  for (;;) {
    const answer = await send(request, ctx.signal, ctx.maxOutputBytes);
    if ('error' in answer) return answer;
    const limited = rateLimitWait(answer, ctx.now());
    if (limited === null) return answer;
    const pause = Math.max(waitMs, limited ?? 0);
    waitMs = Math.min(waitMs * 2, pace.maxIntervalMs);
    if (!(await sleep(pause, ctx.signal))) {
      return { error: `${abortReason(ctx.signal)}; rate limited (${answer.status}), not started` };
    }
  }
}

/** `POST URL: status 422: {"message": ...}`: a refusal, with the start of what the API said. */
export function refusedBy(
  request: OutgoingRequest,
  answer: { status: number; body: string },
): string {
  const said = answer.body.trim().slice(0, 300);
  return `${request.method} ${request.url.href}: status ${answer.status}${said ? `: ${said}` : ''}`;
}

function readJson<T>(body: string, read: (doc: unknown) => Reading<T>): Reading<T> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined; // a cut or non-JSON answer: ask again
  }
  return read(doc);
}

/** A stage of a pipeline step: a new record to journal before going on, or the step's end. */
export type Stage = { next: Omit<ExternalRun, 'at'> } | { result: StepResult };

/**
 * Runs a pipeline step's stages from where its journal says it got to: `advance` gets the last
 * record (undefined: nothing started yet) and returns the next record, which is journaled
 * before the next stage waits on it, or the result. A step resumed after a crash starts at the
 * record the dead mend had written, so it follows that run and starts none.
 */
export async function runStages(
  advance: (last: ExternalRun | undefined) => Promise<Stage>,
  ctx: StepContext,
): Promise<StepResult> {
  const runs = ctx.external ?? inMemory(ctx.now);
  const resumed = runs.last;
  for (;;) {
    const stage = await advance(runs.last);
    if ('next' in stage) {
      await runs.record(stage.next);
      continue;
    }
    if (resumed === undefined) return stage.result;
    const note = `resumed after mend restarted: followed the ${resumed.system} ${resumed.stage} it had recorded${resumed.id === undefined ? '' : ` (${resumed.id})`}; nothing started again`;
    return { ...stage.result, output: `${note}\n${stage.result.output ?? ''}` };
  }
}

/** For a step run outside the executor (a test, a tool): records kept for this attempt only. */
function inMemory(now: () => number): ExternalRuns {
  const runs: ExternalRuns = {
    last: undefined,
    record: async (run) => {
      runs.last = { ...run, at: Math.round(now()) };
    },
  };
  return runs;
}

/** How a followed run is named in the step's result. */
export interface RunNames {
  /** `run 42`, `pipeline 701`, `build #41`: the run in the error. */
  what: string;
  /** The output's first line: the system, the run and its link. */
  head: string;
  link: string;
  /** The record's `data`, besides the final status: `{run: 42, url}`. */
  data: Record<string, unknown>;
  /** The final status that passes (`success`, `SUCCESS`); the verb of any other (`ended`). */
  passes: string;
  verb: string;
  /** The final status in the output's second line: `conclusion success`. */
  says(status: string): string;
  /** The name of the status in `data`: `conclusion`, `status`, `result`. */
  field: string;
}

/** The step's result once the run ended, or once the wait for it did (the deadline). */
export function runEnded(names: RunNames, done: Followed<string>): Stage {
  if (!done.ok) {
    return {
      result: {
        ok: false,
        error: `${names.what}: ${done.error}`,
        output: runReport([names.head], done.waits),
        data: { ...names.data, url: names.link },
      },
    };
  }
  const ok = done.value === names.passes;
  return {
    result: {
      ok,
      status: done.value,
      output: runReport(
        [names.head, `${names.says(done.value)} after ${done.requests} request(s)`],
        done.waits,
      ),
      data: { ...names.data, url: names.link, [names.field]: done.value },
      ...(ok ? {} : { error: `${names.what} ${names.verb} ${done.value}: ${names.link}` }),
    },
  };
}

/** A start the API refused, or sent without an answer: the step's failed result. */
export function startRefused(
  request: OutgoingRequest,
  answer: Answer,
  accepted: number[],
): Stage | undefined {
  if ('error' in answer) return { result: { ok: false, error: answer.error } };
  if (accepted.includes(answer.status)) return undefined;
  return { result: { ok: false, status: answer.status, error: refusedBy(request, answer) } };
}

/** The lines a pipeline step ends with: the run, its link, its final status, and the waits. */
export function runReport(lines: string[], waits: string[]): string {
  const limited =
    waits.length === 0 ? [] : [`rate limited ${waits.length} time(s): ${waits.join('; ')}`];
  return [...lines, ...limited].join('\n');
}

/** What a pipeline kind gives; definePipelineKind adds what all of them share. */
export type PipelineKind<S extends z.ZodType, P> = Omit<
  StepKind<z.output<S>, P>,
  'sections' | 'idempotent' | 'startsExternalRun' | 'defaultTimeoutMs' | 'execute'
> & {
  spec: S;
  /** The next stage from the last record (undefined: nothing started yet). */
  advance(p: P, last: ExternalRun | undefined, ctx: StepContext): Promise<Stage>;
};

/**
 * A step kind that starts a pipeline run: an action step, not idempotent (it never starts a
 * second run for one attempt), resumed from its records (startsExternalRun), with a 30 minute
 * default deadline, run stage by stage through runStages.
 */
export function definePipelineKind<S extends z.ZodType, P>(
  kind: PipelineKind<S, P>,
): StepKind<z.output<S>, P> {
  const { advance, ...rest } = kind;
  return defineStepKind<S, P>({
    ...rest,
    sections: ['action'],
    idempotent: false,
    startsExternalRun: true,
    defaultTimeoutMs: () => 30 * 60_000,
    execute: (p, ctx) => runStages((last) => advance(p, last, ctx), ctx),
  });
}
