import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version 4, as its `webhook_config` receiver posts it
 * (prometheus/alertmanager notify/webhook: `Message` = template.Data + version, groupKey,
 * truncatedAlerts). Objects are loose on purpose: a newer Alertmanager that adds a field must not
 * have its alerts refused (and retried forever); every field mend reads is checked.
 */
const LabelSet = z
  .record(z.string().max(1024), z.string().max(16 * 1024))
  .refine((labels) => Object.keys(labels).length <= 256, 'at most 256 labels or annotations');

/** RFC 3339 as Go writes it; Go's zero time (`0001-01-01T00:00:00Z`) is a firing alert's endsAt. */
const GoTime = z
  .string()
  .max(64)
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected an RFC 3339 time');

export const AlertmanagerAlert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: LabelSet,
  annotations: LabelSet.default({}),
  startsAt: GoTime,
  endsAt: GoTime.default('0001-01-01T00:00:00Z'),
  generatorURL: z.string().max(8192).default(''),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{1,64}$/, 'expected the alert fingerprint Alertmanager sends (hex)'),
});

export const AlertmanagerPayload = z.looseObject({
  version: z.literal('4', { error: 'expected version "4" (Alertmanager webhook payload)' }),
  groupKey: z.string().max(64 * 1024),
  truncatedAlerts: z.int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1024),
  groupLabels: LabelSet.default({}),
  commonLabels: LabelSet.default({}),
  commonAnnotations: LabelSet.default({}),
  externalURL: z.string().max(8192).default(''),
  alerts: z.array(AlertmanagerAlert).min(1).max(10_000),
});

export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;
