import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../src/config/config.ts';
import type { ActionPort, DispatchContext } from '../../src/decisions/action-port.ts';
import { DecisionLoop } from '../../src/decisions/decision-loop.ts';
import { loadMendConfig } from '../../src/documents.ts';
import type { Command } from '../../src/policy/index.ts';
import type { Observation } from '../../src/signals/observation.ts';
import { fingerprint, type Signal } from '../../src/signals/signal.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { createLogger } from '../../src/support/log.ts';

/**
 * A store filled the way `mend run` fills it: the real DecisionLoop decides and records every
 * input; a fake action port stands in for the runbook executor (journals two steps per heal and
 * reports the outcome through the dispatch context, as the executor does) and for the notifier
 * (records a delivery on the incident). The story, on a simulated clock from T0:
 *
 *   inc-1..inc-3  api fails, is restarted, verified healthy, resolves: the third heal in 24h
 *                 makes api chronic (inc-3 flagged);
 *   inc-4         api fails again: chronic from the start; the retry budget (3 in 1h) is spent,
 *                 so the breaker opens and oncall is paged (chronic: true). Still open.
 *   inc-5         worker fails under a shadow policy: would heal; recovers on its own after 45s.
 */
export const T0 = Date.parse('2026-11-24T10:00:00Z');

export const CONFIG = `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  checks: [{ name: live, http: { url: "http://127.0.0.1:1/healthz" } }]
---
apiVersion: mend/v1
kind: Service
metadata: { name: worker }
spec:
  checks: [{ name: live, tcp: { port: 2 } }]
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart-api }
spec:
  match: { services: { names: [api] } }
  for: 0s
  heal: { runbook: restart, params: { unit: "{{service.name}}" } }
  escalate: { notifiers: [oncall] }
  maxAttempts: 3
  window: 1h
  cooldown: 30s
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart-worker }
spec:
  match: { services: { names: [worker] } }
  shadow: true
  heal: { runbook: restart, params: { unit: "{{service.name}}" } }
  escalate: { notifiers: [oncall] }
`;

const log = createLogger({ level: 'silent', pretty: false });

export function probeSignal(
  service: string,
  status: Signal['status'],
  at: number,
  startsAt = at - 3000,
): Signal {
  const identity = { source: 'probe', service, check: 'live' };
  const failed = (t: number): Observation => ({
    ok: false,
    startedAt: t,
    durationMs: 12,
    status: 503,
    error: 'HTTP 503 Service Unavailable',
    output: `HTTP/1.1 503 Service Unavailable\n{"status":"fail","checks":{"db:connections":[{"status":"fail"}]}}\n| a pipe and \`\`\` backticks`,
  });
  return {
    fingerprint: fingerprint(identity),
    source: 'probe',
    service,
    check: 'live',
    labels: { ...identity, role: 'liveness' },
    status,
    startsAt,
    at,
    summary:
      status === 'firing'
        ? '3 consecutive failures: HTTP 503 Service Unavailable'
        : 'healthy again',
    evidence:
      status === 'firing'
        ? [failed(startsAt), failed(startsAt + 1000), failed(startsAt + 2000)]
        : [{ ok: true, startedAt: at - 5, durationMs: 4, status: 200 }],
  };
}

/** The runbook executor and the notifier, faked at the port the real ones implement. */
class FakeActions implements ActionPort {
  readonly #store: Store;
  readonly #clock: () => number;
  readonly contexts = new Map<string, DispatchContext>();
  readonly dispatched: Command[] = [];

  constructor(store: Store, clock: () => number) {
    this.#store = store;
    this.#clock = clock;
  }

  async dispatch(command: Command, context: DispatchContext): Promise<undefined> {
    this.dispatched.push(command);
    if (command.kind === 'heal') this.contexts.set(command.id, context);
    if (command.kind === 'page') {
      const incident = await this.#store.getIncident(command.target);
      if (incident?.status !== 'open') return undefined;
      // As the notifier records a delivery (src/notify/notification-ledger.ts).
      await this.#store.appendIncidentEvent({
        incidentId: incident.id,
        at: this.#clock(),
        type: 'notification',
        payload: {
          key: command.id,
          event: 'page',
          pageId: command.id,
          dedupKey: command.target,
          notifier: 'oncall',
          kind: 'webhook',
          attempts: 1,
          durationMs: 14,
        },
      });
    }
    return undefined;
  }

  /**
   * The runbook ran, journaled as the executor journals it (src/runbooks/journal.ts): the run's
   * intent, an evidence step and an action step (intent and result each), the run's result.
   */
  async runHeal(id: string, start: number, result: 'succeeded' | 'failed'): Promise<number> {
    const append = (
      stepIndex: number,
      key: string,
      phase: 'intent' | 'result',
      at: number,
      payload: unknown,
    ) =>
      this.#store.appendJournal({
        runId: id,
        stepIndex,
        attempt: stepIndex < 0 ? 0 : 1,
        idempotencyKey: `${id}:${key}`,
        phase,
        at,
        payload,
      });
    const step = (section: string, index: number, name: string, kind: string) => ({
      type: 'step',
      section,
      index,
      name,
      kind,
      attempt: 1,
    });
    const run = {
      type: 'run',
      runbook: 'restart',
      revision: 'r1a2b3',
      service: 'api',
      actor: 'controller',
    };
    await append(-1, 'run', 'intent', start, {
      ...run,
      params: { unit: 'api' },
      incidentId: id.split(':')[0],
    });
    const capture = step('evidence', 0, 'capture vars', 'exec');
    await append(0, 'evidence:0:1', 'intent', start, {
      ...capture,
      idempotent: true,
      command: {
        argv: ['curl', '-s', 'http://127.0.0.1:1/debug/vars'],
        env: [],
        inheritEnv: false,
      },
    });
    await append(0, 'evidence:0:1', 'result', start + 120, {
      ...capture,
      status: 'ok',
      exitStatus: 0,
      output: 'goroutines: 10432\nopen connections: 512 | pool exhausted',
      startedAt: start,
      durationMs: 120,
    });
    const restart = step('steps', 0, 'restart', 'exec');
    await append(0, 'steps:0:1', 'intent', start + 200, {
      ...restart,
      idempotent: true,
      command: { argv: ['systemctl', 'restart', 'api.service'], env: [], inheritEnv: false },
    });
    await append(0, 'steps:0:1', 'result', start + 1050, {
      ...restart,
      status: result === 'succeeded' ? 'ok' : 'failed',
      exitStatus: result === 'succeeded' ? 0 : 1,
      ...(result === 'succeeded'
        ? {}
        : { error: 'exit status 1', output: 'Job for api.service failed.' }),
      startedAt: start + 200,
      durationMs: 850,
    });
    await append(-1, 'run', 'result', start + 9000, {
      type: 'run',
      outcome: result,
      detail: 'verify: live passed 1 of 1',
    });
    return start + 9000;
  }
}

export interface Built {
  db: string;
  configFile: string;
  config: Config;
}

/** Build the story's store at `dir/mend.db`. */
export async function buildScenario(dir: string): Promise<Built> {
  const configFile = join(dir, 'mend.yaml');
  await writeFile(configFile, CONFIG);
  const loaded = await loadMendConfig([configFile]);
  if (!loaded.config) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
  const config = loaded.config;
  const db = join(dir, 'mend.db');
  const store = await openStore({ path: db });
  let clock = T0;
  const actions = new FakeActions(store, () => clock);
  const loop = await DecisionLoop.open({
    config,
    store,
    actions,
    log,
    now: () => clock,
    operatorPollMs: 3_600_000,
  });
  // Wait until everything submitted so far is decided (the loop decides one input at a time).
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await loop.submit({ kind: 'tick', at: clock });
  };
  const at = (ms: number) => {
    clock = T0 + ms;
  };
  try {
    for (const [n, start] of [
      [1, 0],
      [2, 60_000],
      [3, 120_000],
    ] as const) {
      at(start + 3000);
      await loop.consume(probeSignal('api', 'firing', clock, T0 + start));
      await settle();
      const id = `inc-${n}:heal:1`;
      const done = await actions.runHeal(id, clock, 'succeeded');
      at(done - T0);
      actions.contexts.get(id)!.report({
        kind: 'outcome',
        at: clock,
        commandId: id,
        result: 'succeeded',
        detail: 'verify: live passed 1 of 1',
      });
      await settle();
      at(start + 20_000);
      await loop.consume(probeSignal('api', 'resolved', clock));
    }
    at(183_000);
    await loop.consume(probeSignal('api', 'firing', clock, T0 + 180_000));
    await settle();
    at(243_000);
    await loop.consume(probeSignal('worker', 'firing', clock, T0 + 240_000));
    at(288_000);
    await loop.consume(probeSignal('worker', 'resolved', clock));
    await settle();
  } finally {
    await loop.stop();
    await store.close();
  }
  return { db, configFile, config };
}
