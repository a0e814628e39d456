import type { Config } from '../config/config.ts';
import type { ActionPort, DispatchContext, Dispatched } from '../decisions/action-port.ts';
import type { Command, HealCommand } from '../policy/types.ts';
import type { JournalEntry, Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import type { Metrics } from '../support/metrics.ts';
import type { RunAccess } from './access-gate.ts';
import type { JournalPayload } from './journal.ts';
import { previewRun } from './preview.ts';
import { performRun, type RunOutcome, type RunRequest } from './run.ts';

export interface RunbookExecutorOptions {
  /** The config now: read at each run, so a reload applies to runs that start after it. */
  config: () => Pick<Config, 'runbooks' | 'services'>;
  store: Pick<Store, 'appendJournal' | 'listJournal' | 'listSignals'>;
  log: Logger;
  /** Where heals that end are counted, by runbook and result (absent: a run by hand). */
  metrics?: Pick<Metrics, 'heals'>;
  now?: () => number;
  /** Called with each journal row appended (redacted): the live view of `mend runbook run`. */
  onRecord?: (phase: JournalEntry['phase'], payload: JournalPayload) => void;
  /** Where `valueFrom: {env}` secrets are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The Kubernetes permission preflight a run passes before its first step. */
  access?: RunAccess;
}

export interface RunbookExecutor extends ActionPort {
  /**
   * Run or resume one run and resolve with its outcome, already reported through `report`;
   * undefined when mend is stopping or another mend runs this heal. Never rejects for a step
   * that fails; rejects when the store does (the run resumes from the journal next time).
   */
  run(request: RunRequest, report?: DispatchContext['report']): Promise<RunOutcome | undefined>;
  /** Resolves once no run is in flight. */
  idle(): Promise<void>;
  /** Cut the steps in flight and wait for the runs to wind down; their journals stay for resuming. */
  stop(): Promise<void>;
}

/**
 * The action port for heal commands, and for the previews of dry-run and shadow decisions (the
 * runbook's check modes, see preview.ts; it ignores pages and approvals: the notifiers take those).
 * `dispatch` starts the run and returns; the outcome comes back through `context.report`:
 * succeeded only when a verify step passed, failed after a failed step and its rollback, unknown
 * when mend cannot tell (a non-idempotent step cut by a crash). A heal dispatched again (after a
 * restart) resumes from its journal; one already running in this process is not started twice.
 */
export function createRunbookExecutor(options: RunbookExecutorOptions): RunbookExecutor {
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  const running = new Map<string, Promise<RunOutcome | undefined>>();
  /** Previews in flight: stop waits for them as for runs (their journal rows are still going in). */
  const previewing = new Set<Promise<unknown>>();

  const run = (request: RunRequest, report?: DispatchContext['report']) => {
    const current = running.get(request.runId);
    if (current) return current;
    const started = (async () => {
      const config = options.config();
      const serviceConfig =
        request.serviceConfig ?? config.services.find((s) => s.name === request.service);
      const outcome = await performRun(
        { ...request, serviceConfig },
        {
          runbooks: config.runbooks,
          store: options.store,
          now,
          stop: stopping.signal,
          onRecord: options.onRecord,
          ...(options.env ? { env: options.env } : {}),
          access: options.access,
        },
      );
      if (outcome === undefined) {
        options.log.info(
          `runbook run ${request.runId}: left to resume (mend stopping, or run elsewhere)`,
        );
        return undefined;
      }
      const line = `runbook ${request.runbook} on ${request.service} (${request.runId}): ${outcome.result}: ${outcome.detail}`;
      if (outcome.result === 'succeeded') options.log.info(line);
      else options.log.warn(line);
      options.metrics?.heals.inc({ runbook: request.runbook, result: outcome.result });
      report?.({
        kind: 'outcome',
        at: Math.round(now()),
        commandId: request.runId,
        result: outcome.result,
        detail: outcome.detail,
        ...(outcome.refused ? { refused: outcome.refused } : {}),
      });
      return outcome;
    })().finally(() => running.delete(request.runId));
    running.set(request.runId, started);
    return started;
  };

  return {
    async dispatch(command: Command, context: DispatchContext): Promise<Dispatched | undefined> {
      if (stopping.signal.aborted) return undefined;
      if (command.kind === 'preview') {
        const config = options.config();
        const preview = previewRun(command, {
          runbooks: config.runbooks,
          store: options.store,
          now,
          stop: stopping.signal,
          ...(options.env ? { env: options.env } : {}),
          serviceConfig:
            context.service ?? config.services.find((s) => s.name === command.heal.service),
          lead: context.lead,
        });
        previewing.add(preview);
        return preview
          .then((said) => {
            options.log.info(
              `preview of runbook ${command.heal.runbook} on ${command.heal.service} (${command.id}): ${said.detail}`,
            );
            return said;
          })
          .finally(() => previewing.delete(preview));
      }
      if (command.kind !== 'heal') return undefined;
      const request = requestOf(command, context);
      run(request, context.report).catch((err: unknown) =>
        options.log.error(
          { err },
          `runbook run ${command.id} stopped: the journal could not be written or read; it resumes from the journal on the next start`,
        ),
      );
    },
    run,
    async idle() {
      while (running.size > 0 || previewing.size > 0) {
        await Promise.allSettled([...running.values(), ...previewing]);
      }
    },
    async stop() {
      stopping.abort(new Error('mend is stopping'));
      await this.idle();
    },
  };
}

function requestOf(command: HealCommand, context: DispatchContext): RunRequest {
  return {
    runId: command.id,
    runbook: command.runbook,
    service: command.service,
    params: command.params,
    incidentId: command.incidentId,
    policy: command.policy,
    actor: command.actor ?? 'controller',
    serviceConfig: context.service,
    lead: context.lead,
    notify: context.notify,
  };
}
