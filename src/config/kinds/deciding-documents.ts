import { isScalar, type Node } from 'yaml';
import { runbookReferenceErrors } from '../../runbooks/policy-references.ts';
import type {
  MaintenanceWindowConfig,
  PolicyConfig,
  SettingsConfig,
  SilenceConfig,
} from '../config.ts';
import { ConfigError } from '../config-error.ts';
import { didYouMean } from '../suggest.ts';
import type { ValidDocument } from '../validate-document.ts';
import { locate, positionOf } from '../yaml/locate.ts';
import { parseDuration } from './duration.ts';
import type { MaintenanceWindowSpec } from './maintenance-window.ts';
import { toMatchers } from './matcher.ts';
import { type NotifierConfig, notifierConfig, notifierReferenceErrors } from './notifier.ts';
import type { PolicySpec } from './policy.ts';
import { checkWhen } from './policy-when.ts';
import { type RunbookConfig, runbookConfig } from './runbook.ts';
import { chronicSettings, SETTINGS_DEFAULTS, type SettingsSpec } from './settings.ts';
import { parseRfc3339, type SilenceSpec } from './silence.ts';

/** The documents the decision engine reads, built into Config and cross-checked. */
export interface DecidingConfig {
  policies: PolicyConfig[];
  silences: SilenceConfig[];
  maintenanceWindows: MaintenanceWindowConfig[];
  notifiers: NotifierConfig[];
  runbooks: RunbookConfig[];
  settings: SettingsConfig;
}

const ms = (text: string) => parseDuration(text)!;

export function policyConfig(document: ValidDocument): PolicyConfig {
  const spec = document.spec as PolicySpec;
  const { match } = spec;
  return {
    name: document.metadata.name,
    labels: document.metadata.labels,
    priority: spec.priority,
    match: {
      sources: match.sources,
      matchers: toMatchers(match.matchers),
      services: match.services
        ? { names: match.services.names, matchers: toMatchers(match.services.matchers) }
        : null,
      roles: match.roles,
    },
    when: spec.when ?? null,
    forMs: ms(spec.for),
    count: spec.count ? { atLeast: spec.count.atLeast, withinMs: ms(spec.count.within) } : null,
    action: spec.heal
      ? { kind: 'heal', rungs: [{ ...spec.heal, deadlineMs: null }] }
      : spec.ladder
        ? {
            kind: 'heal',
            rungs: spec.ladder.map((rung) => ({
              runbook: rung.runbook,
              params: rung.params,
              deadlineMs: ms(rung.deadline),
            })),
          }
        : spec.page
          ? { kind: 'page', notifiers: spec.page.notifiers }
          : { kind: 'observe' },
    escalate: spec.escalate,
    maxAttempts: spec.maxAttempts,
    windowMs: ms(spec.window),
    cooldownMs: ms(spec.cooldown),
    backoff: spec.backoff ? { maxMs: ms(spec.backoff.max) } : null,
    maxConcurrent: spec.maxConcurrent ?? null,
    onConcurrencyLimit: spec.onConcurrencyLimit,
    maxUnhealthy:
      spec.maxUnhealthy === undefined
        ? null
        : typeof spec.maxUnhealthy === 'number'
          ? { count: spec.maxUnhealthy }
          : { percent: Number(spec.maxUnhealthy.slice(0, -1)) },
    requireApproval: spec.requireApproval
      ? { expiresAfterMs: ms(spec.requireApproval.expiresAfter) }
      : null,
    dryRun: spec.dryRun,
    shadow: spec.shadow,
    source: document.position,
  };
}

function silenceConfig(document: ValidDocument): SilenceConfig {
  const spec = document.spec as SilenceSpec;
  return {
    name: document.metadata.name,
    matchers: toMatchers(spec.matchers),
    startsAt: parseRfc3339(spec.startsAt)!,
    endsAt: parseRfc3339(spec.endsAt)!,
    comment: spec.comment,
    createdBy: spec.createdBy,
    source: document.position,
  };
}

function maintenanceWindowConfig(document: ValidDocument): MaintenanceWindowConfig {
  const spec = document.spec as MaintenanceWindowSpec;
  return {
    name: document.metadata.name,
    matchers: toMatchers(spec.matchers),
    schedule: spec.schedule,
    durationMs: ms(spec.duration),
    timeZone: spec.timeZone,
    source: document.position,
  };
}

export function decidingConfig(valid: readonly ValidDocument[]): DecidingConfig {
  const of = (kind: string) => valid.filter((document) => document.kind === kind);
  const settings = of('Settings')[0]?.spec as SettingsSpec | undefined;
  return {
    policies: of('Policy').map(policyConfig),
    silences: of('Silence').map(silenceConfig),
    maintenanceWindows: of('MaintenanceWindow').map(maintenanceWindowConfig),
    notifiers: of('Notifier').map(notifierConfig),
    runbooks: of('Runbook').map(runbookConfig),
    settings: {
      dryRun: settings?.dryRun ?? SETTINGS_DEFAULTS.dryRun,
      maxConcurrent: settings?.maxConcurrent ?? null,
      groupBy: settings?.groupBy ?? SETTINGS_DEFAULTS.groupBy,
      chronic: chronicSettings(settings),
    },
  };
}

/**
 * Checks across documents: unique names per kind, one Settings, services named by policies
 * exist, and every `when` type-checks (its error pointed at the exact character).
 */
export function decidingErrors(
  valid: readonly ValidDocument[],
  serviceNames: readonly string[],
  texts: ReadonlyMap<string, string>,
): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const kind of [
    'Policy',
    'Silence',
    'MaintenanceWindow',
    'Settings',
    'Notifier',
    'Runbook',
  ]) {
    const first = new Map<string, ValidDocument>();
    for (const document of valid.filter((d) => d.kind === kind)) {
      const name = document.metadata.name;
      const earlier = kind === 'Settings' ? [...first.values()][0] : first.get(name);
      if (earlier === undefined) {
        first.set(name, document);
        continue;
      }
      const at = earlier.position;
      const expected =
        kind === 'Settings' ? 'at most one Settings document' : `a unique ${kind} name`;
      errors.push(
        new ConfigError(
          locate(document.source, ['metadata', 'name']),
          'metadata.name',
          `expected ${expected}, found ${JSON.stringify(name)} (${kind === 'Settings' ? 'another' : 'first'} at ${at.file}:${at.line}:${at.col})`,
        ),
      );
    }
  }
  for (const document of valid.filter((d) => d.kind === 'Policy')) {
    const spec = document.spec as PolicySpec;
    spec.match.services?.names.forEach((name, index) => {
      if (serviceNames.includes(name)) return;
      const path = ['spec', 'match', 'services', 'names', index];
      errors.push(
        new ConfigError(
          locate(document.source, path),
          `spec.match.services.names[${index}]`,
          `expected the name of a Service, found ${JSON.stringify(name)}${didYouMean(name, serviceNames)}`,
        ),
      );
    });
    if (spec.when !== undefined) {
      const checked = checkWhen(spec.when);
      if (!checked.ok) {
        errors.push(
          new ConfigError(
            whereInScalar(document, ['spec', 'when'], spec.when, checked.offset, texts),
            'spec.when',
            `expected a CEL condition over signal, service and incident that yields bool, found an error: ${checked.message}`,
          ),
        );
      }
    }
  }
  errors.push(...notifierReferenceErrors(valid));
  errors.push(...runbookReferenceErrors(valid));
  return errors;
}

/**
 * The file position of character `offset` of a string value. The value's line is looked up in
 * the raw text of its node, which works for plain, quoted (without escapes before it) and block
 * scalars; otherwise the start of the value.
 */
function whereInScalar(
  document: ValidDocument,
  path: readonly PropertyKey[],
  value: string,
  offset: number,
  texts: ReadonlyMap<string, string>,
) {
  const start = locate(document.source, path);
  const node = document.source.doc.getIn(path, true) as Node | undefined;
  const text = texts.get(document.source.file);
  if (!isScalar(node) || !node.range || text === undefined) return start;
  const [from, to] = node.range;
  const raw = text.slice(from, to);
  const lineStart = value.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = value.indexOf('\n', offset);
  const line = value.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const found = raw.indexOf(line);
  if (line.length === 0 || found === -1) return start;
  return positionOf(document.source, from + found + (offset - lineStart));
}
