import { z } from 'zod';
import { name } from '../../config/kinds/name.ts';
import { renderText } from '../render.ts';
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
    try {
      await ctx.notify({ key: ctx.key, notifiers: [...p.notifiers], message: p.message });
      return { ok: true, output: `sent to ${p.notifiers.join(', ')}` };
    } catch (err) {
      return {
        ok: false,
        error: `cannot notify ${p.notifiers.join(', ')}: ${(err as Error).message}`,
      };
    }
  },
});
