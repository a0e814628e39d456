import type { Config } from '../config/config.ts';
import type { ActionPort, DispatchContext, Dispatched } from '../decisions/action-port.ts';
import type {
  Command,
  PageCommand,
  RequestApprovalCommand,
  ResolvePageCommand,
} from '../policy/types.ts';
import { Redactor } from '../secrets/redactor.ts';
import type { IncidentWithTimeline } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import type { Metrics } from '../support/metrics.ts';
import { composeNotification } from './compose.ts';
import { leadSignal, type NotifierStore } from './incident-record.ts';
import type { Notification } from './notification.ts';
import { NotificationLedger } from './notification-ledger.ts';
import { type SendDeps, sendToNotifier } from './send-to-notifier.ts';

export interface NotifierPortOptions {
  /**
   * The config in force, read at each dispatch so that a reload takes effect: its notifiers, and
   * its policies (an approval request goes to the `escalate.notifiers` of the heal's policy).
   */
  config: () => Pick<Config, 'notifiers' | 'policies'>;
  store: NotifierStore;
  log: Logger;
  /** Where `valueFrom.env` secrets are read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
  /** Where deliveries are counted (absent: nowhere). */
  metrics?: Pick<Metrics, 'deliveries'>;
}

/**
 * The ActionPort for `page`, `resolvePage` and `requestApproval` (a `heal` is not its business and
 * is ignored). Dispatch resolves once every notifier was tried and each delivery or failure was
 * recorded on the incident: a failed delivery is data, never an exception, so it cannot stop the
 * decision loop. Each (idempotency key, notifier) is delivered once: a command dispatched again
 * after a restart finds its earlier deliveries on the incident timeline.
 */
export function createNotifierPort(options: NotifierPortOptions): ActionPort {
  return new NotifierPort(options);
}

class NotifierPort implements ActionPort {
  readonly #options: NotifierPortOptions;
  readonly #deps: SendDeps;
  /** The incidents of pages sent by this process, so a group page's resolve needs no search. */
  readonly #pages = new Map<string, string[]>();
  /**
   * Dispatches under way by kind and key, so that two dispatches of one command at once deliver
   * it once (the kind too: a group page's resolve carries the page's own key).
   */
  readonly #inFlight = new Map<string, Promise<Dispatched>>();

  constructor(options: NotifierPortOptions) {
    this.#options = options;
    this.#deps = {
      ledger: new NotificationLedger(options.store),
      redactor: new Redactor(),
      env: options.env ?? process.env,
      log: options.log,
      now: options.now ?? Date.now,
      metrics: options.metrics,
    };
  }

  dispatch(command: Command, context: DispatchContext): Promise<Dispatched | undefined> {
    if (command.kind === 'heal' || command.kind === 'preview') return Promise.resolve(undefined);
    const key = flightKey(command);
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const run = this.#run(command, context).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, run);
    return run;
  }

  #run(
    command: PageCommand | ResolvePageCommand | RequestApprovalCommand,
    context: DispatchContext,
  ): Promise<Dispatched> {
    switch (command.kind) {
      case 'page':
        return this.#page(command, context);
      case 'resolvePage':
        return this.#resolve(command);
      case 'requestApproval':
        return this.#approval(command, context);
    }
  }

  async #page(command: PageCommand, context: DispatchContext): Promise<Dispatched> {
    const incidents = await this.#incidents(command.incidentIds);
    const first = incidents[0];
    const lead = first
      ? await leadSignal(this.#options.store, first, context.lead?.fingerprint, this.#deps.now())
      : undefined;
    const notification = composeNotification({
      event: 'page',
      key: command.idempotencyKey,
      dedupKey: command.target,
      pageId: command.id,
      summary: command.summary,
      incidentIds: command.incidentIds,
      ...(first ? { incident: first } : {}),
      ...(lead ? { lead } : {}),
      reason: command.reason,
      chronic: command.chronic === true,
      now: this.#deps.now(),
    });
    this.#pages.set(command.id, command.incidentIds);
    return this.#sendAll(command.notifiers, notification, incidents);
  }

  async #resolve(command: ResolvePageCommand): Promise<Dispatched> {
    // A page still being delivered (retrying, say) finishes first: the resolve goes to the
    // notifiers it reached, and without the wait it would find none and leave an alert open.
    await this.#inFlight.get(`page\u0000${command.id}`)?.catch(() => {});
    const { ledger } = this.#deps;
    const ids =
      this.#pages.get(command.id) ?? (await ledger.pageIncidents(command.target, command.id));
    const incidents = await this.#incidents(ids);
    const notifiers = ledger.pageNotifiers(incidents, command.id);
    if (notifiers.length === 0) {
      this.#deps.log.info(`${command.id}: no notifier received the page; nothing to resolve`);
      return { ok: true, detail: 'no notifier received the page: nothing to resolve' };
    }
    const first = incidents.find((incident) => incident !== undefined);
    const notification = composeNotification({
      event: 'resolve',
      key: command.idempotencyKey,
      dedupKey: command.target,
      pageId: command.id,
      summary: command.summary,
      incidentIds: ids,
      ...(first ? { incident: first } : {}),
      now: this.#deps.now(),
    });
    const sent = await this.#sendAll(notifiers, notification, incidents);
    this.#pages.delete(command.id);
    return sent;
  }

  async #approval(command: RequestApprovalCommand, context: DispatchContext): Promise<Dispatched> {
    const { heal } = command;
    const config = this.#options.config();
    const policy = config.policies.find((p) => p.name === heal.policy);
    const names = (policy?.escalate.notifiers ?? []).filter(
      (name) => config.notifiers.find((n) => n.name === name)?.approvals !== false,
    );
    const approve = `mend approve ${command.approvalId}`;
    if (names.length === 0) {
      this.#deps.log.warn(
        `${command.approvalId}: no notifier takes approval requests of policy ${heal.policy}; nobody was asked (${approve})`,
      );
      return {
        ok: true,
        detail: `nobody asked: no notifier takes approval requests of ${heal.policy}`,
      };
    }
    const incidents = await this.#incidents([command.incidentId]);
    const first = incidents[0];
    const lead = first
      ? await leadSignal(this.#options.store, first, context.lead?.fingerprint, this.#deps.now())
      : undefined;
    const notification = composeNotification({
      event: 'approval',
      key: command.idempotencyKey,
      dedupKey: command.incidentId,
      summary: `${heal.service}: heal with runbook ${heal.runbook} waits for approval`,
      incidentIds: [command.incidentId],
      ...(first ? { incident: first } : {}),
      ...(lead ? { lead } : {}),
      reason: command.reason,
      approval: {
        id: command.approvalId,
        expiresAt: new Date(command.expiresAt).toISOString(),
        runbook: heal.runbook,
        params: heal.params,
        attempt: heal.attempt,
        approveCommand: approve,
        denyCommand: `mend deny ${command.approvalId}`,
      },
      now: this.#deps.now(),
    });
    return this.#sendAll(names, notification, incidents);
  }

  /** Every notifier tried; ok when at least one got it, or there was nobody to send to. */
  async #sendAll(
    names: readonly string[],
    notification: Notification,
    incidents: readonly (IncidentWithTimeline | undefined)[],
  ): Promise<Dispatched> {
    const notifiers = this.#options.config().notifiers;
    const unique = [...new Set(names)];
    const sent = await Promise.all(
      unique.map((name) =>
        sendToNotifier(
          this.#deps,
          notifiers.find((n) => n.name === name),
          name,
          notification,
          incidents,
        ),
      ),
    );
    if (unique.length === 0) return { ok: true, detail: 'no notifier named: sent to nobody' };
    const delivered = unique.filter((_, i) => sent[i]);
    const failed = unique.filter((_, i) => !sent[i]);
    const parts = [
      ...(delivered.length > 0 ? [`sent to ${delivered.join(', ')}`] : []),
      ...(failed.length > 0 ? [`not delivered to ${failed.join(', ')} (see the incident)`] : []),
    ];
    return { ok: delivered.length > 0, detail: parts.join('; ') };
  }

  #incidents(ids: readonly string[]): Promise<(IncidentWithTimeline | undefined)[]> {
    return Promise.all(ids.map((id) => this.#options.store.getIncident(id)));
  }
}

function flightKey(command: PageCommand | ResolvePageCommand | RequestApprovalCommand): string {
  return command.kind === 'page'
    ? `page\u0000${command.id}`
    : `${command.kind}\u0000${command.idempotencyKey}`;
}
