import type { RunbookConfig, ServiceConfig } from '../config/config.ts';
import type { Dispatched } from '../decisions/action-port.ts';
import type { LeadSignal, PreviewCommand } from '../policy/types.ts';
import { Redactor } from '../secrets/redactor.ts';
import type { Store } from '../store/store.ts';
import { planRun } from './dry-run.ts';
import { JournalView, JournalWriter, type StepRecord } from './journal.ts';
import { findStepKind } from './steps/registry.ts';

export interface PreviewDeps {
  runbooks: readonly RunbookConfig[];
  store: Pick<Store, 'appendJournal' | 'listJournal'>;
  now: () => number;
  stop: AbortSignal;
  env?: NodeJS.ProcessEnv;
  serviceConfig: ServiceConfig | undefined;
  lead: LeadSignal | undefined;
}

/**
 * A dry-run or shadow decision's preview: the heal's runbook planned as `mend runbook run
 * --dry-run` plans it, its check-mode steps run (ansible --check --diff: nothing changes) and
 * journaled under the preview's id like a run's steps, so the incident shows what would have
 * changed, per host. Asking twice (a restart) answers from the journal; a step the journal has
 * no result for is asked again, which is safe because a check mode changes nothing.
 */
export async function previewRun(command: PreviewCommand, deps: PreviewDeps): Promise<Dispatched> {
  const { heal } = command;
  const journal = new JournalView(await deps.store.listJournal(command.id));
  if (journal.runResult) {
    return { ok: journal.runResult.outcome === 'succeeded', detail: journal.runResult.detail };
  }
  const writer = new JournalWriter({
    store: deps.store,
    runId: command.id,
    redactor: new Redactor([]), // the plan is redacted with the run's secrets already
    now: deps.now,
  });
  const finish = async (ok: boolean, detail: string): Promise<Dispatched> => {
    const outcome = ok ? 'succeeded' : 'failed';
    await writer.append('result', { type: 'run', outcome, detail });
    return { ok, detail };
  };
  const runbook = deps.runbooks.find((r) => r.name === heal.runbook);
  if (runbook === undefined)
    return finish(false, `no runbook named ${heal.runbook}; nothing checked`);
  await writer.append('intent', {
    type: 'run',
    runbook: runbook.name,
    revision: runbook.revision,
    service: heal.service,
    params: heal.params,
    incidentId: command.incidentId,
    policy: heal.policy,
    ...(deps.lead ? { lead: { fingerprint: deps.lead.fingerprint, check: deps.lead.check } } : {}),
    actor: `controller (${command.mode}: check modes only)`,
  });
  const plan = await planRun(
    runbook,
    {
      service: heal.service,
      params: heal.params,
      serviceConfig: deps.serviceConfig,
      runId: command.id,
      incidentId: command.incidentId,
      lead: deps.lead,
    },
    deps.env,
    { signal: deps.stop },
  );
  if ('errors' in plan) return finish(false, `params do not validate: ${plan.errors.join('; ')}`);
  const words: string[] = [];
  let ok = true;
  for (const step of plan.steps) {
    const here = `${step.section}[${step.index}] ${step.name}`;
    if (step.refused !== undefined) {
      ok = false;
      words.push(`${here} would be refused: ${step.refused}`);
      continue;
    }
    const kind = findStepKind(step.kind);
    if (step.check === undefined && kind?.startsExternalRun && step.command !== undefined) {
      // A pipeline has no check mode: nothing is started, and the preview says what would be.
      words.push(`${here} would ${kind.summarize(step.command)} (not started)`);
      continue;
    }
    if (step.check === undefined || journal.attempts(step.section, step.index)[0]?.result) {
      continue;
    }
    const identity = {
      type: 'step' as const,
      section: step.section,
      index: step.index,
      name: step.name,
      kind: step.kind,
      attempt: 1,
    };
    const startedAt = Math.round(deps.now());
    await writer.append('intent', { ...identity, idempotent: true, command: step.command ?? {} });
    const { check } = step;
    const record: StepRecord = {
      ...identity,
      status: check.ok ? 'ok' : 'failed',
      ...(check.error !== undefined ? { error: check.error } : {}),
      ...(check.output !== undefined ? { output: check.output } : {}),
      ...(check.data !== undefined ? { data: check.data } : {}),
      startedAt,
      durationMs: Math.round(deps.now()) - startedAt,
    };
    await writer.append('result', record);
    if (!check.ok) ok = false;
    const first = check.output?.split('\n')[0];
    words.push(
      `${here}: ${check.ok ? `ok${first ? ` (${first})` : ''}` : `failed: ${check.error}`}`,
    );
  }
  const checked = words.length === 0 ? 'no step has a check mode' : words.join('; ');
  return finish(ok, `${command.mode}: nothing changed; check mode: ${checked}`);
}
