import { Cron } from 'croner';
import { z } from 'zod';
import type { MaintenanceWindowConfig } from '../config.ts';
import { defineDocumentKind } from './document-kind.ts';
import { duration, parseDuration } from './duration.ts';
import { matcherList, toMatchers } from './matcher.ts';

function cronError(schedule: string): string | undefined {
  try {
    new Cron(schedule, { paused: true });
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const maintenanceWindowSpec = z.strictObject({
  matchers: matcherList(
    'Alertmanager matchers on the signal labels; all must match. Empty: every signal. Default `[]`.',
  ),
  schedule: z
    .string()
    .superRefine((schedule, ctx) => {
      const error = cronError(schedule);
      if (error !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a cron schedule such as "0 2 * * 6" (minute hour day month weekday), found ${JSON.stringify(schedule)} (${error})`,
        });
      }
    })
    .describe('When each window starts: a cron expression (croner syntax), in `timeZone`.'),
  duration: duration({ min: '1m', max: '7d' }).describe('How long each window lasts.'),
  timeZone: z
    .string()
    .refine(isTimeZone, { error: 'expected an IANA time zone such as Europe/Berlin or UTC' })
    .default('UTC')
    .describe('The IANA time zone the schedule is read in. Default `UTC`.'),
});

export type MaintenanceWindowSpec = z.output<typeof maintenanceWindowSpec>;

export const maintenanceWindowKind = defineDocumentKind({
  kind: 'MaintenanceWindow',
  summary:
    'A recurring window (cron schedule and duration) during which matching signals are recorded and nothing is done.',
  spec: maintenanceWindowSpec,
  section: 'maintenanceWindows',
  build: (document): MaintenanceWindowConfig => ({
    name: document.metadata.name,
    matchers: toMatchers(document.spec.matchers),
    schedule: document.spec.schedule,
    durationMs: parseDuration(document.spec.duration)!,
    timeZone: document.spec.timeZone,
    source: document.position,
  }),
});
