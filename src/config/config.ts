import type { LabelMatcher } from './kinds/matcher.ts';
import type { NotifierConfig } from './kinds/notifier.ts';
import type { RunbookConfig } from './kinds/runbook.ts';
import type { CheckSpec } from './kinds/service.ts';
import type { ChronicSettings } from './kinds/settings.ts';

/** Where a document came from, for error messages and `mend validate` output. */
export interface DocumentSource {
  file: string;
  line: number;
  col: number;
}

export interface ServiceConfig {
  name: string;
  labels: Record<string, string>;
  dependsOn: string[];
  checks: CheckSpec[];
  source: DocumentSource;
}

export type { LabelMatcher } from './kinds/matcher.ts';
export type { NotifierConfig } from './kinds/notifier.ts';

export type CheckRole = 'liveness' | 'readiness' | 'startup';

/** Runbook parameters: strings may hold {{...}} references, rendered by the engine. */
export type HealParams = Record<string, string | number | boolean>;

/** One heal of a policy; a plain `heal` is a ladder of one rung without a deadline. */
export interface HealRung {
  runbook: string;
  params: HealParams;
  /** Go to the next rung (or page, after the last) when still failing this long after it began. */
  deadlineMs: number | null;
}

export type PolicyAction =
  | { kind: 'heal'; rungs: HealRung[] }
  | { kind: 'page'; notifiers: string[] }
  | { kind: 'observe' };

/** A Policy document, durations in milliseconds. Field meanings: src/config/kinds/policy.ts. */
export interface PolicyConfig {
  name: string;
  labels: Record<string, string>;
  priority: number;
  match: {
    sources: string[];
    matchers: LabelMatcher[];
    services: { names: string[]; matchers: LabelMatcher[] } | null;
    roles: CheckRole[];
  };
  when: string | null;
  forMs: number;
  count: { atLeast: number; withinMs: number } | null;
  action: PolicyAction;
  escalate: { notifiers: string[] };
  maxAttempts: number;
  windowMs: number;
  cooldownMs: number;
  backoff: { maxMs: number } | null;
  maxConcurrent: number | null;
  onConcurrencyLimit: 'queue' | 'page';
  maxUnhealthy: { count: number } | { percent: number } | null;
  requireApproval: { expiresAfterMs: number } | null;
  dryRun: boolean;
  shadow: boolean;
  source: DocumentSource;
}

export interface SilenceConfig {
  name: string;
  matchers: LabelMatcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  source: DocumentSource;
}

export interface MaintenanceWindowConfig {
  name: string;
  matchers: LabelMatcher[];
  schedule: string;
  durationMs: number;
  timeZone: string;
  source: DocumentSource;
}

export interface SettingsConfig {
  dryRun: boolean;
  maxConcurrent: number | null;
  groupBy: string[];
  /** When repeated heals make a service chronic; the engine's defaults when absent. */
  chronic?: ChronicSettings;
}

export type { RunbookConfig, RunbookParamConfig, RunbookStepConfig } from './kinds/runbook.ts';

/** A loaded, validated and cross-checked configuration. Later issues add runbooks, notifiers, ... */
export interface Config {
  services: ServiceConfig[];
  policies: PolicyConfig[];
  silences: SilenceConfig[];
  maintenanceWindows: MaintenanceWindowConfig[];
  /** Where pages, resolves and approval requests go (src/notify/). */
  notifiers: NotifierConfig[];
  runbooks: RunbookConfig[];
  /** From the Settings document, or the defaults when there is none. */
  settings: SettingsConfig;
  /** The files it was loaded from, in the order read. */
  files: string[];
}
