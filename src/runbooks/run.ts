import type { HealParams, RunbookConfig, ServiceConfig } from '../config/config.ts';
import { validateParams } from '../config/kinds/runbook-params.ts';
import type { NotifyFn } from '../decisions/action-port.ts';
import type { LeadSignal, OutcomeResult } from '../policy/types.ts';
import { Redactor } from '../secrets/redactor.ts';
import type { JournalEntry, Store } from '../store/store.ts';
import { accessBlock, type RunAccess } from './access-gate.ts';
import {
  type JournalPayload,
  JournalView,
  JournalWriter,
  type RunIntent,
  type Section,
  type StepRecord,
} from './journal.ts';
import { prepareAll, refusals } from './preflight.ts';
import { RunSecrets } from './run-secrets.ts';
import { runStep, type StepOutcome, type StepRunContext } from './run-step.ts';
import type { TemplateValues } from './template-values.ts';

/** One run of a runbook: a heal command, or `mend runbook run`. */
export interface RunRequest {
  /** The heal command's id (its idempotency key); the journal's runId. */
  runId: string;
  runbook: string;
  service: string;
  params: HealParams;
  incidentId?: string;
  policy?: string;
  /** `controller`, or `cli:<user>`. */
  actor: string;
  serviceConfig?: ServiceConfig | undefined;
  lead?: LeadSignal | undefined;
  /** How its notify steps page (a heal: through the engine); a run by hand has none. */
  notify?: NotifyFn | undefined;
}

export interface RunOutcome {
  result: OutcomeResult;
  detail: string;
  /**
   * Refused before any step ran, for what it was given (its params do not validate, a step's
   * rendered value would be refused): the same run would be refused again, so it is final.
   */
  refused?: true;
}

export interface RunDeps {
  runbooks: readonly RunbookConfig[];
  store: Pick<Store, 'appendJournal' | 'listJournal' | 'listSignals'>;
  now: () => number;
  stop: AbortSignal;
  onRecord?: ((phase: JournalEntry['phase'], payload: JournalPayload) => void) | undefined;
  env?: NodeJS.ProcessEnv;
  /** The Kubernetes permission preflight (absent: not checked, the API server still decides). */
  access?: RunAccess | undefined;
}

/**
 * Runs (or resumes) one run to its outcome: evidence, then the steps, then on a failure the
 * rollback. Resolves undefined when there is no outcome to report from here: mend is stopping
 * (the next start resumes), or another mend is running this heal.
 */
export async function performRun(
  request: RunRequest,
  deps: RunDeps,
): Promise<RunOutcome | undefined> {
  const journal = new JournalView(await deps.store.listJournal(request.runId));
  // Finished before (mend died before the engine heard): the same outcome again.
  if (journal.runResult) {
    const { outcome, detail, refused } = journal.runResult;
    return { result: outcome, detail, ...(refused ? { refused } : {}) };
  }
  const runbook = deps.runbooks.find((r) => r.name === request.runbook);
  const secrets = runbook ? await RunSecrets.read(runbook, deps.env ?? process.env) : undefined;
  const redactor = new Redactor(secrets?.values() ?? []);
  const writer = new JournalWriter({ ...deps, runId: request.runId, redactor });
  const finish = async (
    result: OutcomeResult,
    text: string,
    refused?: true,
  ): Promise<RunOutcome | undefined> => {
    const detail = redactor.redact(text);
    const outcome: RunOutcome = { result, detail, ...(refused ? { refused } : {}) };
    const created = await writer.append('result', {
      type: 'run',
      outcome: result,
      detail,
      ...(refused ? { refused } : {}),
    });
    return created ? outcome : undefined;
  };

  let intent = journal.runIntent;
  if (intent === undefined) {
    const begun = await begin(request, runbook, writer);
    if ('outcome' in begun) return begun.outcome ? finish(...begun.outcome) : undefined;
    intent = begun.intent;
  } else if (runbook === undefined) {
    return finish(
      'unknown',
      `runbook ${request.runbook} is no longer in the config; this run began under it and cannot resume`,
    );
  } else if (runbook.revision !== intent.revision) {
    return finish(
      'unknown',
      `runbook ${runbook.name} changed since this run began (revision ${intent.revision} -> ${runbook.revision}); a half-done run is not resumed under other steps`,
    );
  } else {
    // The intent of a run refused for its params is written before its result: if mend died
    // in between, those params are still refused here, and nothing runs.
    const again = validateParams(runbook.params, intent.params);
    if ('errors' in again) {
      return finish(
        'failed',
        `params do not validate: ${again.errors.join('; ')}; nothing ran`,
        true,
      );
    }
  }
  const prepare = {
    values: templateValues(request, intent, runbook!),
    secret: (s: unknown) => secrets!.get(s),
  };
  // Before the first step runs: every template of every step renders (a run resumed after a
  // step has run is past this point, and each step's own refusal stands then).
  if (!journal.hasSteps) {
    const refused = refusals(runbook!, prepare);
    if (refused.length > 0) return finish('failed', `${refused.join('; ')}; nothing ran`, true);
    // Every permission the steps need, granted: a heal that would be forbidden half-way
    // (restarted, then not allowed to watch the rollout) never starts.
    const blocked = deps.access && (await accessBlock(prepareAll(runbook!, prepare), deps.access));
    if (blocked) return finish('failed', blocked.detail, blocked.final ? true : undefined);
  }
  const ctx: StepRunContext = {
    runId: request.runId,
    journal,
    writer,
    prepare,
    base: {
      maxOutputBytes: runbook!.maxOutputBytes,
      service: request.serviceConfig,
      lead: request.lead,
      store: deps.store,
      notify: request.notify,
      runId: request.runId,
      now: deps.now,
    },
    stop: deps.stop,
    now: deps.now,
  };
  const ended = await runSections(runbook!, ctx);
  return ended === undefined ? undefined : finish(...ended);
}

type Begun =
  | { intent: RunIntent }
  | { outcome: [result: OutcomeResult, detail: string, refused?: true] | undefined };

/** The run intent: params validated first. A heal whose params do not validate does not run. */
async function begin(
  request: RunRequest,
  runbook: RunbookConfig | undefined,
  writer: JournalWriter,
): Promise<Begun> {
  const intent: RunIntent = {
    type: 'run',
    runbook: request.runbook,
    revision: runbook?.revision ?? '',
    service: request.service,
    params: request.params,
    ...(request.incidentId !== undefined ? { incidentId: request.incidentId } : {}),
    ...(request.policy !== undefined ? { policy: request.policy } : {}),
    ...(request.lead
      ? { lead: { fingerprint: request.lead.fingerprint, check: request.lead.check } }
      : {}),
    actor: request.actor,
  };
  const validated = runbook ? validateParams(runbook.params, request.params) : undefined;
  if (runbook === undefined || validated === undefined || 'errors' in validated) {
    if (!(await writer.append('intent', intent))) return { outcome: undefined };
    if (runbook === undefined) {
      return {
        outcome: ['failed', `no runbook named ${request.runbook} in the config; nothing ran`],
      };
    }
    const errors = (validated as { errors: string[] }).errors;
    return {
      outcome: ['failed', `params do not validate: ${errors.join('; ')}; nothing ran`, true],
    };
  }
  const accepted = { ...intent, params: validated.params };
  if (!(await writer.append('intent', accepted))) return { outcome: undefined };
  return { intent: accepted };
}

function templateValues(
  request: RunRequest,
  intent: RunIntent,
  runbook: RunbookConfig,
): TemplateValues {
  const service = request.serviceConfig;
  const lead = request.lead;
  return {
    params: intent.params,
    dashParams: new Set(
      Object.entries(runbook.params)
        .filter(([, spec]) => spec.allowLeadingDash)
        .map(([name]) => name),
    ),
    service: {
      name: request.service,
      labels: service?.labels ?? {},
      ...(service?.kubernetes ? { kubernetes: service.kubernetes } : {}),
    },
    ...(lead
      ? { signal: { labels: lead.labels, check: lead.check, fingerprint: lead.fingerprint } }
      : {}),
    ...(request.incidentId !== undefined ? { incidentId: request.incidentId } : {}),
    runId: request.runId,
  };
}

type Ended = [OutcomeResult, string] | undefined;

async function runSections(runbook: RunbookConfig, ctx: StepRunContext): Promise<Ended> {
  const where = (section: Section, i: number, name: string) => `${section}[${i}] ${name}`;
  // Evidence never blocks the heal: a failed or unknown evidence step is only recorded.
  for (const [i, step] of runbook.evidence.entries()) {
    const outcome = await runStep(step, 'evidence', i, ctx);
    if (!settled(outcome)) return undefined;
  }
  let verified: string | undefined;
  let failure: string | undefined;
  for (const [i, step] of runbook.steps.entries()) {
    const outcome = await runStep(step, 'steps', i, ctx);
    if (!settled(outcome)) return undefined;
    const { record } = outcome;
    const here = where('steps', i, step.name);
    if (outcome.status === 'ok') {
      if (step.verifies) verified = here;
      continue;
    }
    if (outcome.status === 'unknown') return ['unknown', `${here}: ${record.error}`];
    if (record.inconclusive) return ['unknown', `${here}: ${record.error}; not rolled back`];
    failure = `${here} ${outcome.status}${attempts(record)}: ${record.error ?? 'no reason given'}`;
    break;
  }
  if (failure !== undefined) {
    const problems: string[] = [];
    for (const [i, step] of runbook.onFailure.entries()) {
      const outcome = await runStep(step, 'onFailure', i, ctx);
      if (!settled(outcome)) return undefined;
      const here = where('onFailure', i, step.name);
      if (outcome.status === 'unknown') {
        return ['unknown', `${failure}; rollback stopped at ${here}: ${outcome.record.error}`];
      }
      if (outcome.status !== 'ok')
        problems.push(`${here} ${outcome.status}: ${outcome.record.error}`);
    }
    const count = runbook.onFailure.length;
    const rollback =
      count === 0
        ? 'no onFailure steps'
        : problems.length === 0
          ? `onFailure ran ${count} step(s), all ok`
          : `onFailure: ${problems.join('; ')}`;
    return ['failed', `${failure}; ${rollback}`];
  }
  if (verified === undefined) return ['unknown', 'the steps ran but none verified the service'];
  return ['succeeded', `verified healthy by ${verified}`];
}

function settled(outcome: StepOutcome): outcome is Extract<StepOutcome, { record: StepRecord }> {
  return outcome.status !== 'stopped' && outcome.status !== 'taken';
}

function attempts(record: StepRecord): string {
  return record.attempt > 1 ? ` (attempt ${record.attempt})` : '';
}
