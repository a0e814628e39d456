import { z } from 'zod';
import type { ServiceConfig } from '../../config/config.ts';
import { duration, parseDuration } from '../../config/kinds/duration.ts';
import { name } from '../../config/kinds/name.ts';
import { type CheckDefinition, checkDefinitions } from '../../signals/check-identity.ts';
import type { Observation } from '../../signals/observation.ts';
import { prepareCheck } from '../../signals/prepare-check.ts';
import { BoundedOutput } from '../../signals/probes/bounded-output.ts';
import { runProbe } from '../../signals/run-probe.ts';
import { abortReason, sleep } from './sleep.ts';
import { defineStepKind, type StepContext, type StepResult } from './step-kind.ts';
import { verifiesWatch, verifyWatch } from './verify-watch.ts';

export const verifyStepSpec = z.strictObject({
  check: name()
    .optional()
    .describe(
      'The check to re-run. Default: the check whose signal opened the incident; when there is none (a run by hand, an alert), every check of the service. For a signal of the service’s Kubernetes watch (or by hand, a watched service without checks): the watch, until none of its conditions fails.',
    ),
  successThreshold: z
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe('Passes in a row needed. Default: the check’s own successThreshold.'),
  interval: duration({ min: '10ms', max: '10m' })
    .optional()
    .describe('Time between runs. Default: the check’s periodSeconds, at most 1s.'),
});

export type VerifyStepSpec = z.output<typeof verifyStepSpec>;

/** Each probe's output kept in the verify record: enough to see why it still failed. */
const PROBE_OUTPUT_BYTES = 4096;

export const verifyStep = defineStepKind({
  name: 'verify',
  summary:
    'Re-runs the check that fired until it passes successThreshold times in a row, or the step’s timeout (its deadline) passes. What makes a heal succeeded.',
  spec: verifyStepSpec,
  sections: ['action'],
  idempotent: true,
  defaultTimeoutMs: () => 60_000,
  prepare: (spec) => spec,
  describe: (spec) => ({ ...spec }),
  summarize: (c) =>
    c.check
      ? `re-run check ${c.check} until it passes`
      : 're-run the check that fired (by hand: every check) until it passes',
  verifies: true,
  async execute(spec, ctx) {
    // A watched service's signal: its check is the watch (the condition that fired cleared).
    if (verifiesWatch(spec.check, ctx)) return verifyWatch(spec, ctx.service!, ctx);
    const chosen = chooseChecks(spec, ctx);
    if ('inconclusive' in chosen)
      return { ok: false, inconclusive: true, error: chosen.inconclusive };
    return verifyUntil(spec, chosen.definitions, ctx);
  },
});

function chooseChecks(
  spec: VerifyStepSpec,
  ctx: StepContext,
): { definitions: CheckDefinition[] } | { inconclusive: string } {
  const service: ServiceConfig | undefined = ctx.service;
  if (service === undefined) {
    return { inconclusive: 'cannot verify: the service is not in the config, so it has no checks' };
  }
  const wanted = spec.check ?? ctx.lead?.check ?? undefined;
  const all = checkDefinitions([service]);
  const definitions = wanted === undefined ? all : all.filter((d) => d.spec.name === wanted);
  if (definitions.length === 0) {
    return {
      inconclusive:
        wanted === undefined
          ? `cannot verify: service ${service.name} has no checks`
          : `cannot verify: service ${service.name} has no check named ${wanted}`,
    };
  }
  return { definitions };
}

async function verifyUntil(
  spec: VerifyStepSpec,
  definitions: CheckDefinition[],
  ctx: StepContext,
): Promise<StepResult> {
  const threshold =
    spec.successThreshold ?? Math.max(...definitions.map((d) => d.spec.successThreshold));
  const intervalMs =
    spec.interval !== undefined
      ? parseDuration(spec.interval)!
      : Math.min(1000, ...definitions.map((d) => d.spec.periodSeconds * 1000));
  const checks = definitions.map((d) => prepareCheck(d, { forVerify: true }));
  try {
    return await verifyRounds(checks, threshold, intervalMs, ctx);
  } finally {
    for (const check of checks) check.probe.release?.();
  }
}

async function verifyRounds(
  checks: ReturnType<typeof prepareCheck>[],
  threshold: number,
  intervalMs: number,
  ctx: StepContext,
): Promise<StepResult> {
  const log = new BoundedOutput(ctx.maxOutputBytes);
  let streak = 0;
  let rounds = 0;
  let last: { key: string; observation: Observation }[] = [];
  // The failure to report: from the last round that finished, not one the deadline cut short.
  let failure = '';
  for (;;) {
    rounds++;
    last = await Promise.all(
      checks.map(async (check) => ({ key: check.key, observation: await probeOnce(check, ctx) })),
    );
    const failed = last.filter((r) => !r.observation.ok && !r.observation.discarded);
    // A discarded result says nothing either way (as the detector counts it): the streak stands.
    const discarded = last.some((r) => r.observation.discarded);
    streak = failed.length > 0 ? 0 : discarded ? streak : streak + 1;
    for (const { key, observation } of last) {
      const verdict = observation.ok
        ? 'passed'
        : `${observation.discarded ? 'discarded' : 'failed'}: ${observation.error ?? 'no reason'}`;
      log.push(
        Buffer.from(
          `round ${rounds} ${key} ${verdict} (${Math.round(observation.durationMs)} ms)\n`,
        ),
      );
    }
    if (failed[0] !== undefined && (!ctx.signal.aborted || failure === '')) {
      failure = `${failed[0].key}: ${failed[0].observation.error ?? 'no reason'}`;
    }
    const data = {
      checks: checks.map((c) => c.key),
      rounds,
      passedInARow: streak,
      threshold,
      last,
    };
    if (streak >= threshold) return { ok: true, output: log.text(), data };
    if (ctx.signal.aborted || !(await sleep(intervalMs, ctx.signal))) {
      const why = failure === '' ? `passed ${streak} of ${threshold} in a row` : failure;
      return {
        ok: false,
        error: `not healthy (${abortReason(ctx.signal)}): ${why}`,
        output: log.text(),
        data,
      };
    }
  }
}

function probeOnce(check: ReturnType<typeof prepareCheck>, ctx: StepContext): Promise<Observation> {
  const run = runProbe(check.probe, {
    timeoutMs: check.timeoutMs,
    maxOutputBytes: PROBE_OUTPUT_BYTES,
  });
  const onAbort = (): void => run.abort(`verify stopped: ${abortReason(ctx.signal)}`);
  // A signal that fired before the round began fires no event: the probe is cut at once.
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  return run.done.finally(() => ctx.signal.removeEventListener('abort', onAbort));
}
