import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliveryError } from '../../src/notify/delivery-error.ts';
import { findNotifierKind } from '../../src/notify/kinds/registry.ts';
import type { DeliveryRecord } from '../../src/notify/notification-ledger.ts';
import type { DeliveryContext, NotifierKind } from '../../src/notify/notifier-kind.ts';
import { readSecret } from '../../src/secrets/read-secret.ts';
import { REDACTED } from '../../src/secrets/redactor.ts';
import type { Store } from '../../src/store/store.ts';
import { assertOneLine, settleWithin } from '../helpers/contract-asserts.ts';
import {
  captureLog,
  loadYaml,
  noReport,
  notifierOf,
  page,
  sampleNotification,
  timelineOf,
  withPort,
} from './fixtures.ts';

/**
 * How a kind's receiver answers: as the real service does (`accept`), or not: `unavailable`
 * (HTTP 5xx, an SMTP 4xx reply), `rateLimited` (HTTP 429, SMTP 421 too busy), `refuse` (HTTP 4xx,
 * an SMTP 5xx reply: the message or the credential is wrong), `silent` (takes the connection and
 * never answers), `echo` (refuses, quoting what it was sent, secrets included).
 */
export type Answering = 'accept' | 'unavailable' | 'rateLimited' | 'refuse' | 'silent' | 'echo';

/** A kind's real receiver on loopback, answering one way, and the spec that points at it. */
export interface NotifierTarget {
  /** The kind's spec as a Notifier document carries it (before the schema's defaults). */
  spec: Record<string, unknown>;
  /** Where the spec's `valueFrom.env` secrets are read. */
  env: Record<string, string>;
  /** Secret values the kind reads, and parts of them (a URL's path): none may ever show. */
  secrets: string[];
  /** Delivery attempts the receiver saw begin (HTTP requests, SMTP sessions). */
  attempts(): number;
  /** Deliveries it accepted (answered 2xx, took the mail). */
  accepted(): number;
  /** Connections a client still holds open to it. */
  openConnections(): number;
  close(): Promise<void>;
}

/** What the suite needs from one notifier kind. Every kind in the registry provides one. */
export interface NotifierFixture<Target extends NotifierTarget = NotifierTarget> {
  start(answering: Answering): Promise<Target>;
  /** How the kind words the receiver's refusal (`refuse`): the error recorded, exactly. */
  refusal: RegExp;
}

const ABORT_AFTER_MS = 200;
const SLACK_MS = 500;

/** The suite every notifier kind runs: the contract src/notify/notifier-kind.ts states. */
export function runNotifierContract(kind: NotifierKind, fixture: NotifierFixture): void {
  describe(`Notifier kind contract: ${kind.name}`, () => {
    const using = (answering: Answering, use: (target: NotifierTarget) => Promise<void>) =>
      withTarget(fixture, answering, use);
    const deliver = (target: NotifierTarget, ctx = deliveryContext(target)) =>
      sampleNotification().then((n) => kind.deliver(kind.spec.parse(target.spec), n, ctx));

    test('the registry entry has a name, a one-line summary and a strict spec', () =>
      using('accept', async ({ spec }) => {
        assert.match(kind.name, /^[a-z][a-zA-Z]*$/);
        assert.equal(findNotifierKind(kind.name), kind);
        assertOneLine(kind.summary);
        assert.equal(kind.spec.safeParse(spec).success, true);
        const unknown = kind.spec.safeParse({ ...spec, notAField: true });
        assert.equal(unknown.success, false, 'an unknown field is refused');
        assert.match(JSON.stringify(unknown.error?.issues), /notAField/);
      }));

    test('a delivery the receiver accepts resolves; the port records it delivered after one attempt', () =>
      using('accept', async (target) => {
        const ctx = deliveryContext(target);
        await deliver(target, ctx);
        assert.deepEqual([target.attempts(), target.accepted()], [1, 1]);
        if (target.secrets.length > 0) assert.ok(ctx.read.length > 0, 'secrets via ctx.secret');
        const [recorded] = await throughPort(kind, target);
        assert.deepEqual(
          [recorded?.type, recorded?.kind, recorded?.attempts, recorded?.error],
          ['notification', kind.name, 1, undefined],
        );
        assert.deepEqual([target.attempts(), target.accepted()], [2, 2]);
      }));

    for (const answering of ['unavailable', 'rateLimited'] as const) {
      const which =
        answering === 'unavailable'
          ? 'busy (HTTP 5xx, SMTP 4xx)'
          : 'rate-limited (HTTP 429, SMTP 421)';
      test(`a ${which} receiver is a transient DeliveryError; the port retries it`, () =>
        using(answering, async (target) => {
          const error = await deliveryError(deliver(target));
          assert.equal(error.transient, true, error.message);
          const [recorded] = await throughPort(kind, target);
          assert.deepEqual([recorded?.type, recorded?.attempts], ['notification-failed', 3]);
          assert.match(recorded?.error ?? '', / \(after 3 attempts\)$/);
          assert.deepEqual([target.attempts(), target.accepted()], [1 + 3, 0]);
          assertNoSecret(target, JSON.stringify(recorded));
        }));
    }

    test('a refusal (HTTP 4xx, SMTP 5xx) is a terminal DeliveryError; the port tries once', () =>
      using('refuse', async (target) => {
        const error = await deliveryError(deliver(target));
        assert.equal(error.transient, false, error.message);
        assert.match(error.message, fixture.refusal);
        const [recorded] = await throughPort(kind, target);
        assert.deepEqual([recorded?.type, recorded?.attempts], ['notification-failed', 1]);
        assert.match(recorded?.error ?? '', fixture.refusal);
        assert.deepEqual([target.attempts(), target.accepted()], [1 + 1, 0]);
        assertNoSecret(target, JSON.stringify(recorded));
      }));

    test('a receiver that never answers is cut by the attempt’s signal, and let go of', () =>
      using('silent', async (target) => {
        const controller = new AbortController();
        // The kind's own time limit is far away: only the signal can end the attempt in time.
        const ctx = deliveryContext(target, controller.signal, 30_000);
        const started = performance.now();
        setTimeout(() => controller.abort(new Error('no answer in time')), ABORT_AFTER_MS);
        const error = await deliveryError(settleWithin(deliver(target, ctx), 5000));
        const tookMs = performance.now() - started;
        assert.ok(tookMs < ABORT_AFTER_MS + SLACK_MS, `took ${Math.round(tookMs)} ms`);
        assert.equal(error.transient, true, error.message);
        assertNoSecret(target, describeError(error));
        assert.deepEqual([target.attempts(), target.accepted()], [1, 0]);
        await settleWithin(noConnections(target), 1000);
      }));

    test('a secret read through ctx.secret is never in what is thrown, recorded or logged', async () => {
      for (const answering of ['unavailable', 'refuse'] as const) {
        await using(answering, async (target) => {
          assertNoSecret(target, describeError(await deliveryError(deliver(target))));
        });
      }
      await using('echo', async (target) => {
        const { log, lines } = captureLog();
        const recorded = await throughPort(kind, target, log);
        assert.equal(recorded[0]?.type, 'notification-failed');
        assert.ok(recorded[0]?.error?.includes(REDACTED), `not redacted: ${recorded[0]?.error}`);
        assert.ok(lines.join('').includes(REDACTED), 'the log shows the redaction');
        for (const text of [JSON.stringify(recorded), lines.join('')]) assertNoSecret(target, text);
      });
    });
  });
}

/** Runs `use` with the fixture's receiver answering as asked; the receiver is stopped after. */
export async function withTarget<Target extends NotifierTarget>(
  fixture: NotifierFixture<Target>,
  answering: Answering,
  use: (target: Target) => Promise<void>,
): Promise<void> {
  const target = await fixture.start(answering);
  try {
    await use(target);
  } finally {
    await target.close();
  }
}

/** A context as the port gives one; `read` keeps the secret values the kind asked for. */
function deliveryContext(
  target: NotifierTarget,
  signal = AbortSignal.timeout(5000),
  timeoutMs = 5000,
): DeliveryContext & { read: string[] } {
  const read: string[] = [];
  return {
    signal,
    timeoutMs,
    read,
    async secret(ref) {
      const value = await readSecret(ref, target.env);
      read.push(value);
      return (ref.prefix ?? '') + value;
    },
  };
}

/** One page through the notifier port, as notifier `n`: the deliveries recorded on the incident. */
async function throughPort(
  kind: NotifierKind,
  target: NotifierTarget,
  log?: ReturnType<typeof captureLog>['log'],
): Promise<(DeliveryRecord & { type: string })[]> {
  const config = await loadYaml(notifierOf('n', kind.name, target.spec));
  let recorded: (DeliveryRecord & { type: string })[] = [];
  await withPort(config, { env: target.env, ...(log ? { log } : {}) }, async ({ store, port }) => {
    await port.dispatch(page(['n']), noReport);
    recorded = await deliveries(store);
  });
  return recorded;
}

async function deliveries(store: Store) {
  return (await timelineOf(store))
    .filter((e) => e.type.startsWith('notification'))
    .map((e) => ({ type: e.type, ...(e.payload as DeliveryRecord) }));
}

/** The DeliveryError a delivery rejects with; anything else (or resolving) fails the test. */
async function deliveryError(delivery: Promise<void>): Promise<DeliveryError> {
  let caught: unknown;
  await assert.rejects(delivery, (err) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof DeliveryError, `not a DeliveryError: ${String(caught)}`);
  assertOneLine(caught.message);
  return caught;
}

/** An error as far as anything could show it: its message, stack and causes. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 10; ) {
    parts.push(e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join('\n');
}

function assertNoSecret(target: NotifierTarget, text: string): void {
  for (const secret of target.secrets) {
    assert.equal(text.includes(secret), false, `${JSON.stringify(secret)} shows in: ${text}`);
  }
}

async function noConnections(target: NotifierTarget): Promise<void> {
  while (target.openConnections() > 0) await new Promise((r) => setTimeout(r, 10));
}
