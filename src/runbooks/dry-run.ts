import type { HealParams, RunbookConfig, ServiceConfig } from '../config/config.ts';
import { validateParams } from '../config/kinds/runbook-params.ts';
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
}

/**
 * What a run would do, without doing it: params validated, every step rendered (argv, URL,
 * body) exactly as a run would, secrets read but redacted. Nothing runs, nothing is journaled.
 */
export async function planRun(
  runbook: RunbookConfig,
  request: {
    service: string;
    params: HealParams;
    serviceConfig?: ServiceConfig | undefined;
    runId: string;
  },
  env: NodeJS.ProcessEnv = process.env,
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
    service: { name: request.service, labels: request.serviceConfig?.labels ?? {} },
    runId: request.runId,
  };
  const steps = prepareAll(runbook, { values, secret: (s) => secrets.get(s) }).map(
    (planned): PlannedStep => {
      const base = {
        section: planned.section,
        index: planned.index,
        name: planned.step.name,
        kind: planned.step.kind,
      };
      if ('refused' in planned) return { ...base, refused: redactor.redact(planned.refused) };
      const kind = findStepKind(planned.step.kind)!;
      return { ...base, command: redactor.deep(kind.describe(planned.prepared)) };
    },
  );
  return { steps };
}
