import { z } from 'zod';
import { name } from '../../config/kinds/name.ts';
import { renderText } from '../render.ts';
import { abortReason } from './sleep.ts';
import { defineStepKind } from './step-kind.ts';

export const notifyStepSpec = z.strictObject({
  notifiers: z.array(name()).min(1).describe('Notifier names.'),
  message: z.string().min(1).describe('The message (templates allowed).'),
});

export const notifyStep = defineStepKind({
  name: 'notify',
  summary: 'Sends a message through notifiers (a rollback step that tells a channel, say).',
  spec: notifyStepSpec,
  sections: ['action'],
  // A message sent twice after a crash is better than one never sent.
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare: (spec, ctx) => ({
    notifiers: spec.notifiers,
    message: renderText(spec.message, ctx.values, 'message'),
  }),
  describe: (p) => ({ notifiers: p.notifiers, message: p.message }),
  summarize: (c) => `notify ${(c.notifiers as string[]).join(', ')}`,
  async execute(p, ctx) {
    if (ctx.notify === undefined) {
      return {
        ok: false,
        error: 'nothing to notify through: a run by hand has no incident to page about',
      };
    }
    // Delivery takes no signal: when the step's does fire, the step stops waiting (the delivery
    // goes on, and the notifiers record how it ends), so a receiver that never answers cannot
    // hold the run past the step's timeout.
    let onAbort = (): void => {};
    const cut = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error(abortReason(ctx.signal)));
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      if (ctx.signal.aborted) await cut;
      await Promise.race([
        ctx.notify({ key: ctx.key, notifiers: [...p.notifiers], message: p.message }),
        cut,
      ]);
      return { ok: true, output: `sent to ${p.notifiers.join(', ')}` };
    } catch (err) {
      return {
        ok: false,
        error: `cannot notify ${p.notifiers.join(', ')}: ${(err as Error).message}`,
      };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});
