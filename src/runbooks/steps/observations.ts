import { z } from 'zod';
import { EVIDENCE_SIZE } from '../../signals/check-state.ts';
import type { Observation } from '../../signals/observation.ts';
import { boundedText } from '../../signals/probes/bounded-output.ts';
import { defineStepKind } from './step-kind.ts';

export const observationsStepSpec = z.strictObject({
  count: z
    .int()
    .min(1)
    .max(100)
    .default(EVIDENCE_SIZE)
    .describe(`How many of the last observations to keep. Default ${EVIDENCE_SIZE}.`),
});

/** Signals looked through for the one that fired: a service's recent transitions. */
const SIGNALS_SCANNED = 200;

export const observationsStep = defineStepKind({
  name: 'observations',
  summary:
    'The last observations of the check that fired, as its signal recorded them: what it saw before anything was touched.',
  spec: observationsStepSpec,
  sections: ['evidence'],
  idempotent: true,
  defaultTimeoutMs: () => 10_000,
  prepare: (spec) => spec,
  describe: (spec) => ({ ...spec }),
  summarize: (c) => `keep the last ${c.count} observations`,
  async execute(spec, ctx) {
    const lead = ctx.lead;
    if (lead === undefined || ctx.service === undefined) {
      return {
        ok: false,
        error: 'no signal opened this run (a run by hand): no observations to keep',
      };
    }
    const signals = await ctx.store.listSignals({
      service: ctx.service.name,
      order: 'newest-first',
      limit: SIGNALS_SCANNED,
    });
    const signal =
      signals.find((s) => s.fingerprint === lead.fingerprint && s.status === 'firing') ??
      signals.find((s) => s.fingerprint === lead.fingerprint);
    if (signal === undefined) {
      return { ok: false, error: `no recorded signal ${lead.fingerprint} for ${ctx.service.name}` };
    }
    const observations = signal.evidence.slice(-spec.count);
    const output = observations.map(describeObservation).join('\n');
    return {
      ok: true,
      output: boundedText(Buffer.from(output), ctx.maxOutputBytes, false),
      data: { signalId: signal.id, fingerprint: signal.fingerprint, observations },
    };
  },
});

function describeObservation(o: Observation): string {
  const at = new Date(o.startedAt).toISOString();
  const status = o.status === undefined ? '' : ` status ${o.status}`;
  const error = o.error === undefined ? '' : `: ${o.error}`;
  return `${at} ${o.ok ? 'ok' : 'failed'} ${Math.round(o.durationMs)} ms${status}${error}`;
}
