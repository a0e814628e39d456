import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRUNCATION_MARKER } from '../../src/signals/observation.ts';
import type { ProbeContext, ProbeKind } from '../../src/signals/probes/probe-kind.ts';
import { ProbeRunContext } from '../../src/signals/probes/probe-run-context.ts';
import { findProbeKind } from '../../src/signals/probes/registry.ts';
import { assertOneLine, settleWithin } from '../helpers/contract-asserts.ts';

/** Something a probe can be pointed at, and the way to stop it. */
export interface ProbeTarget {
  /** The kind's spec as a check would carry it (before the schema's defaults). */
  spec: Record<string, unknown>;
  /**
   * Resolves once the target saw the probe let go (its socket closed, its process gone), for a
   * target that holds something while the probe runs.
   */
  released?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the suite needs from one probe kind: real targets on loopback (servers on free ports,
 * processes), each stopped after its test. Every kind in the registry provides one.
 */
export interface ProbeFixture {
  /** A target that answers as healthy. */
  healthy(): Promise<ProbeTarget>;
  /** A target that is down or refuses: a closed port, a command that fails. */
  down(): Promise<ProbeTarget>;
  /**
   * A target that never answers: only the probe's signal ends the wait. Null for a kind that
   * cannot be made to wait here (log reads a local regular file: a FIFO is refused before it is
   * opened, and that refusal is in the kind's own tests; traces reads what this process holds).
   */
  hanging: (() => Promise<ProbeTarget>) | null;
  /**
   * A healthy target that says far more than `bytes`, for a kind that captures output; null for
   * a kind that captures none (its observations then carry no output at all).
   */
  verbose: ((bytes: number) => Promise<ProbeTarget>) | null;
}

/** Short, so the suite stays fast; the slack allows for a loaded 2-core machine. */
const TIMEOUT_MS = 300;
const SLACK_MS = 500;
const OUTPUT_BYTES = 64;

/** The suite every probe kind runs: the contract src/signals/probes/probe-kind.ts states. */
export function runProbeContract(kind: ProbeKind, fixture: ProbeFixture): void {
  describe(`Probe kind contract: ${kind.name}`, () => {
    test('the registry entry has a name, a one-line summary and a strict spec', () =>
      withTarget(fixture.healthy(), (target) => {
        assert.match(kind.name, /^[a-z][a-zA-Z]*$/);
        assert.equal(findProbeKind(kind.name), kind);
        assertOneLine(kind.summary);
        assert.equal(kind.spec.safeParse(target.spec).success, true);
        const unknown = kind.spec.safeParse({ ...target.spec, notAField: true });
        assert.equal(unknown.success, false, 'an unknown field is refused');
        assert.match(JSON.stringify(unknown.error?.issues), /notAField/);
        return Promise.resolve();
      }));

    test('a healthy target gives ok, with no error', () =>
      withTarget(fixture.healthy(), async (target) => {
        const result = await observe(kind, target, context(), TIMEOUT_MS);
        assert.equal(result.ok, true, result.error);
        assert.equal(result.error, undefined);
        if (fixture.verbose === null) assert.equal(result.output, undefined);
      }));

    test('a down target gives not ok with a one-line error, and never throws', () =>
      withTarget(fixture.down(), async (target) => {
        const result = await observe(kind, target, context(), TIMEOUT_MS);
        assert.equal(result.ok, false);
        assertOneLine(result.error);
        if (fixture.verbose === null) assert.equal(result.output, undefined);
      }));

    const { hanging } = fixture;
    if (hanging !== null) {
      test('a hanging target is cut at the timeout, with an error naming it', () =>
        withTarget(hanging(), async (target) => {
          const started = performance.now();
          const result = await observe(kind, target, context(), TIMEOUT_MS);
          const tookMs = performance.now() - started;
          assert.equal(result.ok, false);
          assertOneLine(result.error);
          assert.match(result.error ?? '', new RegExp(`timed out after ${TIMEOUT_MS} ms`));
          assert.ok(tookMs < TIMEOUT_MS + SLACK_MS, `took ${Math.round(tookMs)} ms`);
          await released(target);
        }));

      test('an abort stops a hanging probe promptly, and says it was aborted, not timed out', () =>
        withTarget(hanging(), async (target) => {
          const controller = new AbortController();
          const ctx = new ProbeRunContext(10_000, OUTPUT_BYTES, controller.signal);
          const started = performance.now();
          setTimeout(() => controller.abort(new Error('mend is stopping')), 100);
          const result = await observe(kind, target, ctx, 100);
          const tookMs = performance.now() - started;
          assert.equal(result.ok, false);
          assertOneLine(result.error);
          assert.match(result.error ?? '', /^aborted after \d+ ms .*\(mend is stopping\)$/);
          assert.ok(tookMs < 100 + SLACK_MS, `took ${Math.round(tookMs)} ms`);
          await released(target);
        }));
    }

    test('an already aborted signal gives not ok at once, even for a healthy target', () =>
      withTarget(fixture.healthy(), async (target) => {
        const controller = new AbortController();
        controller.abort(new Error('mend is stopping'));
        const started = performance.now();
        const result = await observe(
          kind,
          target,
          new ProbeRunContext(TIMEOUT_MS, OUTPUT_BYTES, controller.signal),
          0,
        );
        assert.equal(result.ok, false);
        assertOneLine(result.error);
        assert.ok(performance.now() - started < SLACK_MS);
      }));

    const { verbose } = fixture;
    if (verbose !== null) {
      test('output is bounded by maxOutputBytes and marked when cut', () =>
        withTarget(verbose(OUTPUT_BYTES), async (target) => {
          const result = await observe(kind, target, context(), TIMEOUT_MS);
          const output = result.output ?? '';
          assert.ok(output.endsWith(TRUNCATION_MARKER), `not marked: ${JSON.stringify(output)}`);
          const kept = Buffer.byteLength(output) - Buffer.byteLength(TRUNCATION_MARKER);
          assert.ok(kept <= OUTPUT_BYTES, `kept ${kept} bytes`);
          assert.ok(kept > 0, 'the start of the output is kept');
        }));
    }
  });
}

/** A context as the scheduler gives one: the signal fires at the timeout. */
function context(): ProbeContext {
  return new ProbeRunContext(TIMEOUT_MS, OUTPUT_BYTES, AbortSignal.timeout(TIMEOUT_MS));
}

/**
 * Prepares the target's spec as config loading does and runs the probe once. A throw fails the
 * test, and so does a probe still running 2 s after its signal should have ended it.
 */
async function observe(kind: ProbeKind, target: ProbeTarget, ctx: ProbeContext, endsByMs: number) {
  const probe = kind.prepare(kind.spec.parse(target.spec));
  const pending = probe(ctx);
  assert.ok(pending instanceof Promise, 'a probe returns a promise');
  try {
    return await settleWithin(pending, endsByMs + 2000);
  } finally {
    probe.release?.();
  }
}

async function withTarget(
  starting: Promise<ProbeTarget>,
  use: (target: ProbeTarget) => Promise<void>,
): Promise<void> {
  const target = await starting;
  try {
    await use(target);
  } finally {
    await target.close();
  }
}

/** The target let go within a second of the probe's end. */
async function released(target: ProbeTarget): Promise<void> {
  if (target.released !== undefined) await settleWithin(target.released(), 1000);
}
