import { z } from 'zod';
import type { SilenceConfig } from '../config.ts';
import { defineDocumentKind } from './document-kind.ts';
import { matchers, toMatchers } from './matcher.ts';

// RFC 3339 as Alertmanager's silences use it: a date, a time, and a zone (Z or an offset).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export const timestamp = () =>
  z.string().refine((text) => parseRfc3339(text) !== undefined, {
    error: 'expected an RFC 3339 time such as 2026-11-24T10:00:00Z',
  });

export const silenceSpec = z
  .strictObject({
    matchers: matchers()
      .min(1)
      .describe('Alertmanager matchers on the signal labels; all must match. At least one.'),
    startsAt: timestamp().describe('When the silence begins (RFC 3339).'),
    endsAt: timestamp().describe('When it ends (RFC 3339), after startsAt.'),
    comment: z.string().min(1).describe('Why: shown in every decision it silences.'),
    createdBy: z.string().min(1).describe('Who created it.'),
  })
  .superRefine(
    (spec, ctx) => {
      const start = parseRfc3339(spec.startsAt);
      const end = parseRfc3339(spec.endsAt);
      if (start !== undefined && end !== undefined && end <= start) {
        ctx.addIssue({
          code: 'custom',
          path: ['endsAt'],
          message: `expected a time after startsAt (${spec.startsAt}), found ${JSON.stringify(spec.endsAt)}`,
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type SilenceSpec = z.output<typeof silenceSpec>;

export const silenceKind = defineDocumentKind({
  kind: 'Silence',
  summary:
    'Matching signals are recorded and nothing is done between startsAt and endsAt (as in Alertmanager).',
  spec: silenceSpec,
  section: 'silences',
  build: (document): SilenceConfig => ({
    name: document.metadata.name,
    matchers: toMatchers(document.spec.matchers),
    startsAt: parseRfc3339(document.spec.startsAt)!,
    endsAt: parseRfc3339(document.spec.endsAt)!,
    comment: document.spec.comment,
    createdBy: document.spec.createdBy,
    source: document.position,
  }),
});
