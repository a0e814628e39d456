import type { Config } from '../config/config.ts';
import {
  adoptConfig,
  createEngine,
  type Decision,
  type Engine,
  type EngineState,
  type Input,
} from '../policy/index.ts';
import { tableGet } from '../policy/table.ts';
import type { HeldSeries } from '../signals/series-states.ts';
import type { Signal, SignalConsumer } from '../signals/signal.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import type { Metrics } from '../support/metrics.ts';
import type { ActionPort, NotifyFn } from './action-port.ts';
import { configRevision } from './config-revision.ts';
import { logDecision, logSignal } from './decision-log.ts';
import { countDecision } from './decision-metrics.ts';
import { decisionRecord } from './decision-record.ts';
import { dispatchContext } from './dispatch-context.ts';
import { Dispatcher, type DispatchStore } from './dispatcher.ts';
import { EngineClock } from './engine-clock.ts';
import { type OperatorRequestStore, OperatorRequests } from './operator-requests.ts';
import { rebuildState } from './rebuild.ts';
import { Snapshots } from './snapshots.ts';

export type DecisionStore = Pick<
  Store,
  'recordDecision' | 'listDecisions' | 'saveSnapshot' | 'latestSnapshot'
> &
  DispatchStore &
  OperatorRequestStore;

export interface DecisionLoopOptions {
  config: Config;
  store: DecisionStore;
  actions: ActionPort;
  log: Logger;
  /** Where recorded decisions are counted (absent: nowhere, as in `mend replay`). */
  metrics?: Metrics;
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
 * Around it: the dispatcher (commands out, outcomes back), the engine clock (timer inputs), the
 * operator requests (approvals, breaker resets) and the snapshots.
 */
export class DecisionLoop implements SignalConsumer {
  readonly #store: DecisionStore;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #now: () => number;
  readonly #dispatcher: Dispatcher;
  readonly #clock: EngineClock;
  readonly #operators: OperatorRequests;
  readonly #snapshots: Snapshots;
  #engine: Engine;
  #config: Config;
  #revision: string;
  #state: EngineState;
  #lastNow: number;
  #lastSeq: number;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(
    options: DecisionLoopOptions,
    rebuilt: { state: EngineState; lastAt: number; lastSeq: number },
  ) {
    this.#store = options.store;
    this.#log = options.log;
    this.#metrics = options.metrics;
    const now = options.now ?? Date.now;
    this.#now = now;
    this.#config = options.config;
    this.#engine = createEngine(options.config);
    this.#revision = configRevision(options.config);
    this.#state = adoptConfig(this.#engine.compiled, rebuilt.state);
    this.#lastNow = rebuilt.lastAt;
    this.#lastSeq = rebuilt.lastSeq;
    this.#snapshots = new Snapshots(options.store, options.log, options.snapshotEvery ?? 200);
    this.#dispatcher = new Dispatcher({
      store: options.store,
      actions: options.actions,
      log: options.log,
      now,
      contextOf: (command, report) =>
        dispatchContext(command, this.#state, this.#config, report, (healId) =>
          this.#notifyFor(healId),
        ),
      submit: (outcome) => this.submit(outcome),
    });
    this.#clock = new EngineClock({
      now,
      log: options.log,
      tick: (at) => this.submit({ kind: 'tick', at }),
    });
    this.#operators = new OperatorRequests({
      store: options.store,
      log: options.log,
      now,
      pollMs: options.operatorPollMs ?? 1000,
      current: () => ({ state: this.#state, config: this.#config }),
      submit: (input, requestId) => this.submit(input, requestId),
    });
  }

  /** Rebuild the engine state from the store, re-dispatch unfinished commands, start the clock. */
  static async open(options: DecisionLoopOptions): Promise<DecisionLoop> {
    const rebuilt = await rebuildState(createEngine(options.config), options.store);
    if (rebuilt.replayed > 0 || rebuilt.fromSnapshot) {
      options.log.info(
        `decision state rebuilt: ${rebuilt.fromSnapshot ? `snapshot at input ${rebuilt.snapshotSeq} + ` : ''}${rebuilt.replayed} input(s) replayed, ${rebuilt.openIncidents} open incident(s)`,
      );
    }
    const loop = new DecisionLoop(options, rebuilt);
    await loop.#dispatcher.resumeUnfinished();
    loop.#clock.arm(loop.#state);
    loop.#operators.start();
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

  /** The signals of one check the record holds firing (a check with series has many). */
  firingOf(service: string, check: string, source: string): HeldSeries[] {
    const held = tableGet(this.#state.services, service)?.signals ?? [];
    return held
      .filter((s) => s.check === check && s.source === source)
      .map((s) => ({ fingerprint: s.fingerprint, labels: s.labels, startsAt: s.startsAt }));
  }

  /** The signals of one source the record holds firing for a service (a watch's, after a restart). */
  firingFrom(service: string, source: string): HeldSeries[] {
    const held = tableGet(this.#state.services, service)?.signals ?? [];
    return held
      .filter((s) => s.source === source)
      .map((s) => ({ fingerprint: s.fingerprint, labels: s.labels, startsAt: s.startsAt }));
  }

  /** Resolves once the signal and the decision it caused are recorded; rejects if they are not. */
  async consume(signal: Signal): Promise<void> {
    await this.submit({ kind: 'signal', at: signal.at, signal });
  }

  /** Decide on one input after those before it; resolves once it is recorded. */
  submit(input: Input, operatorRequestId?: number): Promise<Decision<EngineState>> {
    return this.#serially(() => this.#decide(input, operatorRequestId));
  }

  /** Take the pending operator requests now (the API, after recording one); resolves when done. */
  takeOperatorRequests(): Promise<void> {
    return this.#operators.pollNow();
  }

  /** Decide under a new config from now on; the state carries over, recounted for it. */
  reload(config: Config): Promise<void> {
    return this.#serially(async () => {
      this.#config = config;
      this.#engine = createEngine(config);
      this.#revision = configRevision(config);
      this.#state = adoptConfig(this.#engine.compiled, this.#state);
      this.#clock.arm(this.#state);
    });
  }

  /** Outcomes of commands reported by their actions and not recorded yet. */
  unrecordedOutcomes(): number {
    return this.#dispatcher.unrecordedOutcomes;
  }

  /**
   * The store records again after an outage: send out what was recorded and not dispatched, and
   * resume the heals a failed journal write stopped (those still running here go on).
   */
  resume(): Promise<void> {
    return this.#dispatcher.resumeUnfinished('the store could not record while it was due');
  }

  /** Stop the clock, the polling and the retries, finish what is queued, save a snapshot. */
  async stop(): Promise<void> {
    this.#clock.stop();
    this.#operators.stop();
    this.#dispatcher.stop();
    await this.#chain;
    await this.#snapshots.saveIfBehind(this.#position());
  }

  /**
   * How a heal's runbook pages: the engine decides a page about the heal's incident (the input
   * and the page are recorded like any other), and the step waits until the notifiers were tried.
   */
  #notifyFor(healId: string): NotifyFn {
    return async ({ key, notifiers, message }) => {
      const input = {
        kind: 'notify' as const,
        at: this.#now(),
        commandId: healId,
        key,
        notifiers,
        message,
      };
      const decision = await this.submit(input);
      const page = decision.commands.find((command) => command.idempotencyKey === key);
      if (page === undefined) {
        throw new Error(decision.reasons.at(-1)?.message ?? `no page decided for ${key}`);
      }
      const sent = await this.#dispatcher.whenSent(key);
      if (sent?.ok === false) throw new Error(sent.detail);
    };
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => {});
    return run;
  }

  async #decide(input: Input, operatorRequestId?: number): Promise<Decision<EngineState>> {
    const now = Math.max(this.#lastNow, this.#now());
    const decision = this.#engine.decide(this.#state, input, now);
    if (input.kind === 'tick' && isQuiet(decision)) {
      // A tick that changed nothing but stale timers needs no record: the next recorded input
      // drops those timers in a replay too.
      this.#state = decision.state;
      this.#clock.arm(this.#state);
      return decision;
    }
    const { seq } = await this.#store.recordDecision(
      decisionRecord({
        at: now,
        input,
        decision,
        configRevision: this.#revision,
        operatorRequestId,
      }),
    );
    // Recorded: only now does the decision take effect and its commands go out.
    if (input.kind === 'outcome') await this.#dispatcher.settle(input);
    this.#state = decision.state;
    this.#lastNow = now;
    this.#lastSeq = seq;
    if (input.kind === 'signal') logSignal(this.#log, input.signal);
    logDecision(this.#log, decision, input);
    if (this.#metrics) countDecision(this.#metrics, decision);
    for (const command of decision.commands) void this.#dispatcher.dispatch(command);
    await this.#snapshots.recorded(this.#position());
    this.#clock.arm(this.#state);
    return decision;
  }

  #position() {
    return { seq: this.#lastSeq, at: this.#lastNow, state: this.#state, revision: this.#revision };
  }
}

function isQuiet(decision: Decision<EngineState>): boolean {
  return (
    decision.commands.length === 0 && decision.events.length === 0 && decision.reasons.length === 0
  );
}
