import { z } from 'zod';
import type { DocumentKind } from './document-kind.ts';
import { LABEL_KEY_PATTERN } from './metadata.ts';

export const SETTINGS_DEFAULTS = { dryRun: false, groupBy: ['service'] };

export const settingsSpec = z.strictObject({
  dryRun: z
    .boolean()
    .default(SETTINGS_DEFAULTS.dryRun)
    .describe('Decide and record everything, run nothing, page nobody. Default false.'),
  maxConcurrent: z
    .int()
    .min(1)
    .max(100000)
    .optional()
    .describe('Heals in flight at once across all policies. Unset: no global limit.'),
  groupBy: z
    .array(z.string().regex(LABEL_KEY_PATTERN, { error: 'expected a label name' }))
    .default(SETTINGS_DEFAULTS.groupBy)
    .describe(
      'Signal labels that split incidents (as Alertmanager group_by). Incidents are always per service; these add to it. Default `[service]`.',
    ),
});

export type SettingsSpec = z.output<typeof settingsSpec>;

export const settingsKind: DocumentKind<SettingsSpec> = {
  kind: 'Settings',
  summary: 'Global settings for deciding; at most one such document. Optional.',
  spec: settingsSpec,
};
