import type { Config } from '../config/config.ts';
import {
  adoptConfig,
  type Command,
  createEngine,
  type Decision,
  type Engine,
  type EngineState,
  findIncident,
  type Input,
  nextTimerAt,
  type OutcomeInput,
} from '../policy/index.ts';
import { tableGet } from '../policy/table.ts';
import type { Signal, SignalConsumer } from '../signals/signal.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import type { ActionPort, DispatchContext, LeadSignal } from './action-port.ts';
import { configRevision } from './config-revision.ts';
import { describeCommand } from './describe-command.ts';
import { incidentChanges } from './incident-records.ts';
import { journalInput } from './journal-input.ts';
import { operatorInput } from './operator-requests.ts';
import { rebuildState } from './rebuild.ts';

export type DecisionStore = Pick<
  Store,
  | 'recordDecision'
  | 'listDecisions'
  | 'saveSnapshot'
  | 'latestSnapshot'
  | 'updateCommand'
  | 'listCommands'
  | 'pendingOperatorRequests'
  | 'rejectOperatorRequest'
>;

export interface DecisionLoopOptions {
  config: Config;
  store: DecisionStore;
  actions: ActionPort;
  log: Logger;
  now?: () => number;
  /** Save the engine state every this many recorded inputs (and on stop). */
  snapshotEvery?: number;
  /** How often to look for operator requests (approve, deny, breaker reset) from the CLI. */
  operatorPollMs?: number;
}

/**
 * The shell around the pure engine. Inputs are decided one at a time, in order; each input and
 * its decision are recorded in one transaction BEFORE any command is dispatched; the state that
 * must survive a restart is rebuilt from the store on open (snapshot + recorded inputs after it).
 */
export class DecisionLoop implements SignalConsumer {
  readonly #store: DecisionStore;
  readonly #actions: ActionPort;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #snapshotEvery: number;
  #engine: Engine;
  #config: Config;
  #revision: string;
  #state: EngineState;
  #lastNow: number;
  #lastSeq: number;
  #sinceSnapshot = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #tickTimer: NodeJS.Timeout | undefined;
  #tickAt = Number.POSITIVE_INFINITY;
  #pollTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  private constructor(
    options: DecisionLoopOptions,
    rebuilt: { state: EngineState; lastAt: number; lastSeq: number },
  ) {
    this.#store = options.store;
    this.#actions = options.actions;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#snapshotEvery = options.snapshotEvery ?? 200;
    this.#config = options.config;
    this.#engine = createEngine(options.config);
    this.#revision = configRevision(options.config);
    this.#state = adoptConfig(this.#engine.compiled, rebuilt.state);
    this.#lastNow = rebuilt.lastAt;
    this.#lastSeq = rebuilt.lastSeq;
  }

  /** Rebuild the engine state from the store, re-dispatch planned commands, start the clock. */
  static async open(options: DecisionLoopOptions): Promise<DecisionLoop> {
    const engine = createEngine(options.config);
    const rebuilt = await rebuildState(engine, options.store);
    if (rebuilt.replayed > 0 || rebuilt.fromSnapshot) {
      options.log.info(
        `decision state rebuilt: ${rebuilt.fromSnapshot ? `snapshot at input ${rebuilt.snapshotSeq} + ` : ''}${rebuilt.replayed} input(s) replayed, ${rebuilt.openIncidents} open incident(s)`,
      );
    }
    const loop = new DecisionLoop(options, rebuilt);
    await loop.#resumeUnfinished();
    loop.#armTick();
    const pollMs = options.operatorPollMs ?? 1000;
    loop.#pollTimer = setInterval(() => void loop.#pollOperatorRequests(), pollMs);
    return loop;
  }

  get state(): EngineState {
    return this.#state;
  }

  get config(): Config {
    return this.#config;
  }

  /** Since when the engine holds this signal as firing (undefined: it does not). */
  firingSince(service: string, fingerprint: string): number | undefined {
    return tableGet(this.#state.services, service)?.signals.find(
      (s) => s.fingerprint === fingerprint,
    )?.startsAt;
  }

  /** Resolves once the signal and the decision it caused are recorded; rejects if they are not. */
  async consume(signal: Signal): Promise<void> {
    await this.submit({ kind: 'signal', at: signal.at, signal });
  }

  submit(input: Input, operatorRequestId?: number): Promise<Decision<EngineState>> {
    const run = this.#chain.then(() => this.#decide(input, operatorRequestId));
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Decide under a new config from now on; the state carries over, recounted for it. */
  reload(config: Config): Promise<void> {
    const run = this.#chain.then(() => {
      this.#config = config;
      this.#engine = createEngine(config);
      this.#revision = configRevision(config);
      this.#state = adoptConfig(this.#engine.compiled, this.#state);
      this.#armTick();
    });
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Stop the clock and the polling, finish what is queued, save a snapshot. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#tickTimer);
    clearInterval(this.#pollTimer);
    await this.#chain;
    if (this.#sinceSnapshot > 0) await this.#snapshot();
  }

  async #decide(input: Input, operatorRequestId?: number): Promise<Decision<EngineState>> {
    const now = Math.max(this.#lastNow, this.#now());
    const decision = this.#engine.decide(this.#state, input, now);
    const quiet =
      decision.commands.length === 0 &&
      decision.events.length === 0 &&
      decision.reasons.length === 0;
    if (input.kind === 'tick' && quiet) {
      // A tick that changed nothing but stale timers needs no record: the next recorded input
      // drops those timers in a replay too.
      this.#state = decision.state;
      this.#armTick();
      return decision;
    }
    const signal = input.kind === 'signal' ? input.signal : undefined;
    const { seq } = await this.#store.recordDecision({
      at: now,
      input: journalInput(input),
      decision: { commands: decision.commands, events: decision.events, reasons: decision.reasons },
      configRevision: this.#revision,
      ...(signal ? { signal } : {}),
      incidents: incidentChanges(decision, signal),
      commands: decision.commands.map((command) => ({
        id: command.idempotencyKey,
        kind: command.kind,
        // A page's target is its incident (or a blast-radius group id).
        incidentId: 'incidentId' in command ? command.incidentId : command.target,
        ...('service' in command ? { service: command.service } : {}),
        payload: command,
      })),
      ...(operatorRequestId !== undefined ? { operatorRequestId } : {}),
    });
    // Recorded: only now does the decision take effect and its commands go out.
    if (input.kind === 'outcome') await this.#settleCommand(input);
    this.#state = decision.state;
    this.#lastNow = now;
    this.#lastSeq = seq;
    if (signal) this.#logSignal(signal);
    this.#logDecision(decision);
    for (const command of decision.commands) void this.#dispatch(command);
    if (++this.#sinceSnapshot >= this.#snapshotEvery) await this.#snapshot();
    this.#armTick();
    return decision;
  }

  async #dispatch(command: Command, markDispatched = true): Promise<void> {
    try {
      await this.#actions.dispatch(command, this.#contextOf(command));
    } catch (err) {
      this.#log.error({ err }, `cannot dispatch ${describeCommand(command)}`);
      return;
    }
    // A heal stays `dispatched` until its outcome comes back; a page is done once delivered (or
    // its failure recorded on the incident by the notifier).
    const status = command.kind === 'heal' ? 'dispatched' : 'succeeded';
    if (!markDispatched && status === 'dispatched') return;
    try {
      await this.#store.updateCommand(command.idempotencyKey, { status, at: this.#now() });
    } catch (err) {
      // A heal that finished before this line ran already has its final status: keep it.
      if (!(err instanceof RangeError))
        this.#log.warn({ err }, `cannot mark ${command.idempotencyKey} ${status}`);
    }
  }

  async #settleCommand(outcome: OutcomeInput): Promise<void> {
    try {
      await this.#store.updateCommand(outcome.commandId, {
        status: outcome.result,
        at: outcome.at,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      });
    } catch (err) {
      // An outcome for a command this store never planned (a replayed or stray report) is
      // recorded as an input above; its status row is simply not there to update.
      this.#log.warn({ err }, `cannot mark ${outcome.commandId} ${outcome.result}`);
    }
  }

  #contextOf(command: Command): DispatchContext {
    // An outcome the store could not take is retried, not dropped: without it the heal would
    // stay in flight and its service would never be healed or paged about again.
    const report = (outcome: OutcomeInput, failures = 0): void => {
      this.submit(outcome).catch((err) => {
        if (failures === 0) {
          this.#log.error({ err }, `cannot record the outcome of ${outcome.commandId}; retrying`);
        }
        if (!this.#stopped) {
          setTimeout(() => report(outcome, failures + 1), Math.min(30_000, 1000 * 2 ** failures));
        }
      });
    };
    if (!('service' in command)) return { report: (outcome) => report(outcome) };
    const service = this.#config.services.find((s) => s.name === command.service);
    const incident = findIncident(this.#state, command.service, command.incidentId);
    const record = tableGet(this.#state.services, command.service)?.signals.find(
      (signal) => signal.fingerprint === incident?.lead,
    );
    const lead: LeadSignal | undefined = record && {
      fingerprint: record.fingerprint,
      source: record.source,
      check: record.check,
      labels: record.labels,
      summary: record.summary,
      startsAt: record.startsAt,
    };
    return {
      report: (outcome) => report(outcome),
      ...(service ? { service } : {}),
      ...(lead ? { lead } : {}),
    };
  }

  /**
   * Commands recorded but not dispatched before mend stopped, and heals dispatched that have no
   * outcome yet, go out again: the action ports use the idempotency key (the runbook journal,
   * the notification record) so the work is done once and a heal resumes where it stopped.
   */
  async #resumeUnfinished(): Promise<void> {
    const planned = await this.#store.listCommands({ status: 'planned' });
    const running = (await this.#store.listCommands({ status: 'dispatched' })).filter(
      (row) => row.kind === 'heal',
    );
    for (const row of [...planned, ...running]) {
      const verb = row.status === 'planned' ? 'dispatching' : 'resuming';
      this.#log.warn(`${verb} ${row.id}: mend stopped before it finished`);
      void this.#dispatch(row.payload as Command, row.status === 'planned');
    }
  }

  #logSignal(signal: Signal): void {
    const line = `${signal.service}/${signal.check ?? signal.source} ${signal.status}: ${signal.summary}`;
    const fields = {
      signal: {
        fingerprint: signal.fingerprint,
        service: signal.service,
        check: signal.check,
        status: signal.status,
        startsAt: new Date(signal.startsAt).toISOString(),
      },
    };
    if (signal.status === 'firing') this.#log.warn(fields, line);
    else this.#log.info(fields, line);
  }

  #logDecision(decision: Decision<EngineState>): void {
    for (const event of decision.events) {
      if (event.type === 'decision') {
        this.#log.info(
          { incident: event.incidentId, verdict: event.verdict, reason: event.reason.code },
          `${event.incidentId} ${event.reason.service ?? ''}: ${event.verdict}: ${event.reason.message}`,
        );
      } else if (event.type === 'linked' || event.type === 'resolved') {
        this.#log.info(
          { incident: event.incidentId },
          `${event.incidentId}: ${event.reason.message}`,
        );
      }
    }
  }

  async #snapshot(): Promise<void> {
    try {
      await this.#store.saveSnapshot({
        inputSeq: this.#lastSeq,
        at: this.#lastNow,
        state: this.#state,
        configRevision: this.#revision,
      });
      this.#sinceSnapshot = 0;
    } catch (err) {
      // Not fatal: the inputs are recorded, so the state can still be rebuilt from them.
      this.#log.warn({ err }, 'cannot save the decision state snapshot; will retry');
    }
  }

  #armTick(): void {
    if (this.#stopped) return;
    const at = nextTimerAt(this.#state.timers);
    if (at === null) {
      clearTimeout(this.#tickTimer);
      this.#tickTimer = undefined;
      this.#tickAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.#tickTimer !== undefined && this.#tickAt <= at) return;
    clearTimeout(this.#tickTimer);
    this.#tickAt = at;
    this.#tickTimer = setTimeout(
      () => {
        this.#tickTimer = undefined;
        this.#tickAt = Number.POSITIVE_INFINITY;
        this.submit({ kind: 'tick', at: Math.max(at, this.#now()) }).catch((err) => {
          this.#log.error({ err }, 'cannot record a timer decision; retrying in 1 s');
          this.#tickTimer = setTimeout(() => this.#armTick(), 1000);
        });
      },
      Math.max(0, at - this.#now()),
    );
  }

  async #pollOperatorRequests(): Promise<void> {
    if (this.#stopped) return;
    try {
      for (const request of await this.#store.pendingOperatorRequests()) {
        const verdict = operatorInput(request, this.#state, this.#config, this.#now());
        if ('rejected' in verdict) {
          await this.#store.rejectOperatorRequest(request.id, {
            at: this.#now(),
            detail: verdict.rejected,
          });
          this.#log.warn(
            `operator request ${request.id} by ${request.actor} rejected: ${verdict.rejected}`,
          );
          continue;
        }
        this.#log.info(`operator request ${request.id} by ${request.actor}: ${request.kind}`);
        await this.submit(verdict.input, request.id);
      }
    } catch (err) {
      this.#log.error({ err }, 'cannot read operator requests');
    }
  }
}
