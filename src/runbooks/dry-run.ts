import type { HealParams, RunbookConfig, ServiceConfig } from '../config/config.ts';
import { validateParams } from '../config/kinds/runbook-params.ts';
import type { LeadSignal } from '../policy/types.ts';
import { Redactor } from '../secrets/redactor.ts';
import { prepareAll } from './preflight.ts';
import { RunSecrets } from './run-secrets.ts';
import { findStepKind } from './steps/registry.ts';
import type { TemplateValues } from './template-values.ts';

export interface PlannedStep {
  section: 'evidence' | 'steps' | 'onFailure';
  index: number;
  name: string;
  kind: string;
  /** What would run, rendered as the journal would record it; or why it would be refused. */
  command?: Record<string, unknown>;
  refused?: string;
  /**
   * For a kind that can ask its tool what it would change (ansible `--check --diff`): what it
   * answered. Redacted like the journal.
   */
  check?: { ok: boolean; error?: string; output?: string; data?: unknown };
}

/** How long a check-mode step may take, and how much of its output is kept. */
export interface CheckOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * What a run would do, without doing it: params validated, every step rendered (argv, URL,
 * body) exactly as a run would, secrets read but redacted. Nothing is journaled; nothing runs but
 * the check mode of a kind that has one (a playbook with `--check --diff`), which changes
 * nothing and says what would change.
 */
export async function planRun(
  runbook: RunbookConfig,
  request: {
    service: string;
    params: HealParams;
    serviceConfig?: ServiceConfig | undefined;
    runId: string;
    /** A preview of a heal has its incident and the signal that opened it; a dry run by hand not. */
    incidentId?: string;
    lead?: LeadSignal | undefined;
  },
  env: NodeJS.ProcessEnv = process.env,
  options: CheckOptions = {},
): Promise<{ steps: PlannedStep[] } | { errors: string[] }> {
  const validated = validateParams(runbook.params, request.params);
  if ('errors' in validated) return validated;
  const secrets = await RunSecrets.read(runbook, env);
  const redactor = new Redactor(secrets.values());
  const values: TemplateValues = {
    params: validated.params,
    dashParams: new Set(
      Object.keys(runbook.params).filter((n) => runbook.params[n]!.allowLeadingDash),
    ),
    service: {
      name: request.service,
      labels: request.serviceConfig?.labels ?? {},
      ...(request.serviceConfig?.kubernetes
        ? { kubernetes: request.serviceConfig.kubernetes }
        : {}),
    },
    ...(request.lead
      ? {
          signal: {
            labels: request.lead.labels,
            check: request.lead.check,
            fingerprint: request.lead.fingerprint,
          },
        }
      : {}),
    ...(request.incidentId !== undefined ? { incidentId: request.incidentId } : {}),
    runId: request.runId,
  };
  const steps: PlannedStep[] = [];
  for (const planned of prepareAll(runbook, { values, secret: (s) => secrets.get(s) })) {
    const base = {
      section: planned.section,
      index: planned.index,
      name: planned.step.name,
      kind: planned.step.kind,
    };
    if ('refused' in planned) {
      steps.push({ ...base, refused: redactor.redact(planned.refused) });
      continue;
    }
    const kind = findStepKind(planned.step.kind)!;
    if (kind.checkMode === undefined) {
      steps.push({ ...base, command: redactor.deep(kind.describe(planned.prepared)) });
      continue;
    }
    const checking = kind.checkMode(planned.prepared);
    const timeoutMs = options.timeoutMs ?? planned.step.timeoutMs;
    const signal = AbortSignal.any([
      AbortSignal.timeout(timeoutMs),
      ...(options.signal ? [options.signal] : []),
    ]);
    const result = await kind.execute(checking, {
      timeoutMs,
      signal,
      maxOutputBytes: runbook.maxOutputBytes,
      service: request.serviceConfig,
      lead: request.lead,
      store: { listSignals: async () => [] },
      notify: undefined,
      key: `${request.runId}:${planned.section}:${planned.index}:check`,
      runId: request.runId,
      now: Date.now,
    });
    const check = {
      ok: result.ok,
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.output !== undefined ? { output: result.output } : {}),
      ...(result.data !== undefined ? { data: result.data } : {}),
    };
    steps.push({
      ...base,
      command: redactor.deep(kind.describe(checking)),
      check: redactor.deep(check),
    });
  }
  return { steps };
}
