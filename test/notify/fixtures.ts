import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Config } from '../../src/config/config.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { composeNotification } from '../../src/notify/compose.ts';
import { leadSignal } from '../../src/notify/incident-record.ts';
import type { Notification } from '../../src/notify/notification.ts';
import { createNotifierPort } from '../../src/notify/notifier-port.ts';
import type {
  PageCommand,
  Reason,
  RequestApprovalCommand,
  ResolvePageCommand,
} from '../../src/policy/types.ts';
import { fingerprint, type Signal } from '../../src/signals/signal.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import type { Logger } from '../../src/support/log.ts';

export const T0 = Date.parse('2026-11-24T10:00:00Z');

/** Logs kept as lines, to look for secrets in them. */
export function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'debug', base: undefined }, sink), lines };
}

/** Config documents written to a temp file and loaded as mend loads them. */
export async function loadYaml(yaml: string): Promise<Config> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-notify-'));
  try {
    const file = join(dir, 'config.yaml');
    await writeFile(file, yaml);
    const loaded = await loadMendConfig([file]);
    if (!loaded.config) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
    return loaded.config;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const notifier = (name: string, spec: string) =>
  `apiVersion: mend/v1\nkind: Notifier\nmetadata: {name: ${name}}\nspec:\n${spec}\n---\n`;

/** Fast retries for tests: 3 attempts, 20-50 ms apart, 1 s per attempt. */
export const FAST = '  attempts: 3\n  timeout: 1s\n  backoff: {initial: 20ms, max: 50ms}\n';

/** A Notifier document of `kind` with `spec` (JSON is YAML), then `extra` Notifier fields. */
export const notifierOf = (
  name: string,
  kind: string,
  spec: Record<string, unknown>,
  extra = FAST,
) => notifier(name, `  ${kind}: ${JSON.stringify(spec)}\n${extra}`);

export const REASON: Reason = {
  code: 'breaker-open',
  incidentId: 'inc-1',
  service: 'api',
  policy: 'restart-api',
  guardrail: 'breaker',
  numbers: { attempts: 3, maxAttempts: 3, windowMs: 3_600_000 },
  message: 'attempt 4 of 3 within 1h: breaker restart-api/restart open until 11:00; paging oncall',
};

export function probeSignal(service: string, status: 'firing' | 'resolved', at: number): Signal {
  const labels = { source: 'probe', service, check: 'live' };
  return {
    fingerprint: fingerprint(labels),
    source: 'probe',
    service,
    check: 'live',
    labels,
    status,
    startsAt: T0,
    at,
    summary: status === 'firing' ? '3 consecutive failures: connect ECONNREFUSED' : 'healthy again',
    evidence: Array.from({ length: 8 }, (_, i) => ({
      ok: false,
      startedAt: T0 + i * 1000,
      durationMs: 2 + i,
      error: `connect ECONNREFUSED 127.0.0.1:8080 (#${i})`,
      output: 'x'.repeat(i === 7 ? 5000 : 10),
    })),
  };
}

/**
 * An incident as the decision loop records it: its signal with evidence, the incident under the
 * engine id, the signal and two heal decisions on its timeline, in two engine steps.
 */
export async function seedIncident(
  store: Store,
  engineId = 'inc-1',
  service = 'api',
  fields: Record<string, unknown> = {},
): Promise<string> {
  const signal = probeSignal(service, 'firing', T0 + 3000);
  const heal = (at: number, attempt: number) => ({
    type: 'decision',
    incidentId: engineId,
    at,
    verdict: 'heal',
    reason: {
      code: 'heal',
      incidentId: engineId,
      numbers: {},
      message: `restart ${attempt} of 3`,
    },
    commandIds: [`${engineId}:heal:${attempt}`],
  });
  const opening = [
    {
      type: 'signal',
      incidentId: engineId,
      at: T0 + 3000,
      fingerprint: signal.fingerprint,
      status: 'firing',
      check: 'live',
      summary: signal.summary,
    },
    heal(T0 + 3001, 1),
  ];
  const onTimeline = (event: { type: string; at: number }) => ({
    incidentId: engineId,
    at: event.at,
    type: event.type,
    payload: event,
  });
  const input = { kind: 'signal', at: T0 + 3000, signal };
  await store.recordDecision({
    at: T0 + 3000,
    input,
    decision: { commands: [], events: opening, reasons: [] },
    configRevision: 'test',
    signal,
    incidents: {
      opened: [
        {
          incidentId: engineId,
          service,
          title: `${service}: ${signal.summary}`,
          openedAt: T0 + 3000,
          fields,
        },
      ],
      events: opening.map(onTimeline),
    },
  });
  const later = heal(T0 + 9000, 2);
  const tick = { kind: 'tick', at: T0 + 9000 };
  await store.recordDecision({
    at: T0 + 9000,
    input: tick,
    decision: { commands: [], events: [later], reasons: [] },
    configRevision: 'test',
    incidents: { events: [onTimeline(later)] },
  });
  return engineId;
}

export function memoryStore(): Promise<Store> {
  return openStore({ path: ':memory:' });
}

export function page(notifiers: string[], engineId = 'inc-1'): PageCommand {
  const id = `${engineId}:page:1`;
  return {
    kind: 'page',
    id,
    idempotencyKey: id,
    target: engineId,
    incidentIds: [engineId],
    notifiers,
    summary: 'api: 3 consecutive failures: connect ECONNREFUSED',
    reason: { ...REASON, incidentId: engineId },
  };
}

export function resolvePage(engineId = 'inc-1'): ResolvePageCommand {
  const id = `${engineId}:page:1`;
  return {
    kind: 'resolvePage',
    id,
    idempotencyKey: `${id}:resolve`,
    target: engineId,
    summary: 'api: every signal resolved after 5m: healthy again',
  };
}

export function approval(engineId = 'inc-1'): RequestApprovalCommand {
  const approvalId = `${engineId}:approval:1`;
  return {
    kind: 'requestApproval',
    approvalId,
    idempotencyKey: approvalId,
    incidentId: engineId,
    expiresAt: T0 + 900_000,
    heal: {
      kind: 'heal',
      id: `${engineId}:heal:1`,
      idempotencyKey: `${engineId}:heal:1`,
      incidentId: engineId,
      service: 'api',
      runbook: 'restart',
      params: { unit: 'api' },
      policy: 'restart-api',
      rung: 0,
      attempt: 1,
    },
    reason: {
      ...REASON,
      code: 'approval-required',
      message: 'approval required to heal api: mend approve inc-1:approval:1',
    },
  };
}

export const noReport = { report() {} };

/** A port over `store` with the notifiers and policies of `config`; clock fixed after T0. */
export function port(
  store: Store,
  config: Config,
  options: { env?: Record<string, string>; log?: Logger } = {},
) {
  return createNotifierPort({
    config: () => config,
    store,
    log: options.log ?? captureLog().log,
    env: options.env ?? {},
    now: () => T0 + 60_000,
  });
}

/**
 * Runs `use` with a fresh store holding incident inc-1 (seeded as the decision loop records it,
 * with `fields`) and a port over it with `config`; the store is closed after, whatever happens.
 */
export async function withPort(
  config: Config,
  options: { env?: Record<string, string>; log?: Logger; fields?: Record<string, unknown> },
  use: (parts: { store: Store; port: ReturnType<typeof port> }) => Promise<void>,
): Promise<void> {
  const store = await memoryStore();
  try {
    await seedIncident(store, 'inc-1', 'api', options.fields);
    await use({ store, port: port(store, config, options) });
  } finally {
    await store.close();
  }
}

let sample: Promise<Notification> | undefined;

/** The page about incident inc-1 as the port composes it from the seeded store (made once). */
export function sampleNotification(): Promise<Notification> {
  sample ??= (async () => {
    const store = await memoryStore();
    try {
      await seedIncident(store);
      const command = page([]);
      const now = T0 + 60_000;
      const incident = await store.getIncident('inc-1');
      const lead = incident && (await leadSignal(store, incident, undefined, now));
      return composeNotification({
        event: 'page',
        key: command.idempotencyKey,
        dedupKey: command.target,
        pageId: command.id,
        summary: command.summary,
        incidentIds: command.incidentIds,
        ...(incident ? { incident } : {}),
        ...(lead ? { lead } : {}),
        reason: command.reason,
        now,
      });
    } finally {
      await store.close();
    }
  })();
  return sample;
}

export async function timelineOf(store: Store, incidentId = 'inc-1') {
  return (await store.getIncident(incidentId))!.timeline;
}
