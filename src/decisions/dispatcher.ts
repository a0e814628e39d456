import type { Command, OutcomeInput } from '../policy/index.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import { persistently } from '../support/persistently.ts';
import type { ActionPort, DispatchContext, Dispatched } from './action-port.ts';
import { describeCommand } from './describe-command.ts';

export type DispatchStore = Pick<Store, 'markDispatched' | 'updateCommand' | 'listCommands'>;

export interface DispatcherOptions {
  store: DispatchStore;
  actions: ActionPort;
  log: Logger;
  now: () => number;
  /** The context of a command's action, from the decision state as it is now. */
  contextOf(command: Command, report: DispatchContext['report']): DispatchContext;
  /** Feed an outcome back to the engine; resolves once it is recorded, rejects if it is not. */
  submit(outcome: OutcomeInput): Promise<unknown>;
}

/**
 * Sends recorded commands to their actions and keeps their status: a heal is `dispatched` until
 * its outcome comes back, a page is done once delivered (or its failure recorded on the incident
 * by the notifier). Outcomes are fed back to the engine, and retried until recorded: without one
 * a heal would stay in flight and its service would never be healed or paged about again.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #stopping = new AbortController();
  /** Dispatches under way, by idempotency key. */
  readonly #sending = new Map<string, Promise<Dispatched | undefined>>();
  /** Outcomes reported by an action and not recorded yet (retried until they are). */
  readonly #unrecorded = new Set<string>();

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Start the command's action; resolves when the action has taken it (not when a heal ends). */
  dispatch(command: Command, options: { resumed?: boolean } = {}): Promise<Dispatched | undefined> {
    const key = command.idempotencyKey;
    const sending = this.#send(command, options.resumed ?? false).finally(() => {
      if (this.#sending.get(key) === sending) this.#sending.delete(key);
    });
    this.#sending.set(key, sending);
    return sending;
  }

  /** Resolves once the command with this key (dispatched already, or now) has gone out. */
  whenSent(key: string): Promise<Dispatched | undefined> {
    return this.#sending.get(key) ?? Promise.resolve(undefined);
  }

  async #send(command: Command, resumed: boolean): Promise<Dispatched | undefined> {
    const { actions, log, store, now } = this.#options;
    const report = (outcome: OutcomeInput) => this.#report(outcome);
    let sent: Dispatched | undefined;
    try {
      sent = await actions.dispatch(command, this.#options.contextOf(command, report));
    } catch (err) {
      log.error({ err }, `cannot dispatch ${describeCommand(command)}`);
      return { ok: false, detail: `cannot dispatch: ${(err as Error).message}` };
    }
    try {
      if (command.kind !== 'heal') {
        // A page nobody got is failed (each delivery failure is on the incident's timeline).
        await store.updateCommand(command.idempotencyKey, {
          status: sent?.ok === false ? 'failed' : 'succeeded',
          at: now(),
          ...(sent ? { detail: sent.detail } : {}),
        });
      } else if (!resumed) {
        // False when the heal's outcome was recorded first (a run refused at once): it stands.
        await store.markDispatched(command.idempotencyKey, now());
      }
    } catch (err) {
      log.warn({ err }, `cannot record that ${command.idempotencyKey} went out`);
    }
    return sent;
  }

  /** The command an outcome is about gets its final status (the outcome itself is an input). */
  async settle(outcome: OutcomeInput): Promise<void> {
    try {
      await this.#options.store.updateCommand(outcome.commandId, {
        status: outcome.result,
        at: outcome.at,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      });
    } catch (err) {
      // An outcome for a command this store never planned (a replayed or stray report) is
      // recorded as an input; its status row is simply not there to update.
      this.#options.log.warn({ err }, `cannot mark ${outcome.commandId} ${outcome.result}`);
    }
  }

  /** How many outcomes actions reported that are not recorded yet. */
  get unrecordedOutcomes(): number {
    return this.#unrecorded.size;
  }

  /**
   * Commands recorded but not dispatched before mend stopped (or while the store could not
   * record), and heals dispatched that have no outcome yet, go out again: the actions use the
   * idempotency key (the runbook journal, the notification record) so the work is done once, a
   * heal still running here is not started twice, and a heal resumes where it stopped.
   */
  async resumeUnfinished(why = 'mend stopped before it finished'): Promise<void> {
    const { store, log } = this.#options;
    const planned = await store.listCommands({ status: 'planned' });
    const running = (await store.listCommands({ status: 'dispatched' })).filter(
      (row) => row.kind === 'heal',
    );
    for (const row of [...planned, ...running]) {
      const resumed = row.status === 'dispatched';
      log.warn(`${resumed ? 'resuming' : 'dispatching'} ${row.id}: ${why}`);
      void this.dispatch(row.payload as Command, { resumed });
    }
  }

  /** Stop retrying outcome reports; an unrecorded outcome is reported again by the next start. */
  stop(): void {
    this.#stopping.abort();
  }

  #report(outcome: OutcomeInput): void {
    this.#unrecorded.add(outcome.commandId);
    persistently(() => this.#options.submit(outcome), {
      what: `record the outcome of ${outcome.commandId}`,
      log: this.#options.log,
      signal: this.#stopping.signal,
    }).then(
      () => this.#unrecorded.delete(outcome.commandId),
      () => {
        // Stopping: the heal is still `dispatched` in the store, so the next start resumes it
        // and its journal gives the same outcome again. Counted as not recorded till then.
      },
    );
  }
}
