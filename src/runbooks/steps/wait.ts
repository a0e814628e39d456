import { z } from 'zod';
import { duration, parseDuration } from '../../config/kinds/duration.ts';
import { abortReason, sleep } from './sleep.ts';
import { defineStepKind } from './step-kind.ts';

export const waitStepSpec = z.strictObject({
  duration: duration({ max: '1h' }).describe('How long to wait (`10s`, `2m`).'),
});

export const waitStep = defineStepKind({
  name: 'wait',
  summary: 'Waits, e.g. for a restarted service to start before verifying it.',
  spec: waitStepSpec,
  sections: ['action'],
  idempotent: true,
  // The wait itself, and a second to spare: a wait never times out by default.
  defaultTimeoutMs: (spec) => parseDuration(spec.duration)! + 1000,
  prepare: (spec) => ({ ms: parseDuration(spec.duration)! }),
  describe: (p) => ({ durationMs: p.ms }),
  summarize: (c) => `wait ${c.durationMs} ms`,
  async execute(p, ctx) {
    if (await sleep(p.ms, ctx.signal)) return { ok: true };
    return { ok: false, error: `wait cut short: ${abortReason(ctx.signal)}` };
  },
});
