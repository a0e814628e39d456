import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { configFromSpecs } from '../../src/documents.ts';
import { createRunbookExecutor } from '../../src/runbooks/executor.ts';
import type { StepRecord } from '../../src/runbooks/journal.ts';
import { findStepKind, stepKindsFor } from '../../src/runbooks/steps/registry.ts';
import type {
  PrepareContext,
  StepContext,
  StepKind,
  StepResult,
  StepSection,
} from '../../src/runbooks/steps/step-kind.ts';
import { Refusal, type TemplateValues } from '../../src/runbooks/template-values.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { assertOneLine, settleWithin } from '../helpers/contract-asserts.ts';
import { silentLog } from './helpers.ts';

/** One way to run a step of the kind: its spec, what the run gives it, and what to stop after. */
export interface StepCase {
  /** The kind's spec as a runbook step carries it (before the schema's defaults). */
  spec: Record<string, unknown>;
  /** What the run gives the step besides: the service, the signal that opened the run, notify. */
  context?: Partial<Pick<StepContext, 'service' | 'lead' | 'notify'>>;
  /** Secrets the step reads (`valueFrom: {env: NAME}`), by name: a token for an API. */
  secrets?: Record<string, string>;
  /** Resolves once the step let go of what it started (its process group, its connection). */
  released?(): Promise<void>;
  close?(): Promise<void>;
}

/** Makes a case; `store` is the run's (empty, in memory) store, for a case that needs records. */
export type MakeCase = (store: Store) => Promise<StepCase>;

/** What the suite needs from one step kind. Every kind in the registry provides one. */
export interface StepFixture {
  /** A step that passes. */
  passing: MakeCase;
  /** Failures the kind expects (an exit code, a 503, no such file); none if it can only be cut. */
  failing: readonly MakeCase[];
  /** A step that would run far past a short timeout; null for a kind with nothing to wait for. */
  slow: MakeCase | null;
  /**
   * A spec (valid at load) naming a value the run does not have: `{{service.labels.team}}` of
   * a service without that label. Null for a kind that renders no templates.
   */
  refused: Record<string, unknown> | null;
}

const TIMEOUT_MS = 300;
/** Deadline of a step expected to end by itself: generous, ansible-playbook alone takes 2 s idle. */
const RUN_MS = 30_000;
const SLACK_MS = 500;
const SECTIONS: readonly StepSection[] = ['evidence', 'action'];

/** What the run's templates see: a service without labels, no signal. */
const VALUES: TemplateValues = {
  params: {},
  dashParams: new Set(),
  service: { name: 'api', labels: {} },
  runId: 'r1',
};

const prepareContext: PrepareContext = {
  values: VALUES,
  secret: () => {
    throw new Refusal('no secrets in the step contract');
  },
};

/** The prepare context of a case: its own secrets, if it has any. */
function prepareFor(c: StepCase): PrepareContext {
  const { secrets } = c;
  if (secrets === undefined) return prepareContext;
  return {
    values: VALUES,
    secret: (ref) => {
      const name = (ref as { valueFrom: { env?: string } }).valueFrom.env ?? '';
      const value = secrets[name];
      if (value === undefined) throw new Refusal(`no secret ${name} in this case`);
      return value;
    },
  };
}

/** The suite every step kind runs: the contract src/runbooks/steps/step-kind.ts states. */
export function runStepContract(kind: StepKind, fixture: StepFixture): void {
  describe(`Step kind contract: ${kind.name}`, () => {
    test('the registry entry has a name, a one-line summary, a strict spec and a default timeout', () =>
      withCase(fixture.passing, ({ spec }) => {
        assert.match(kind.name, /^[a-z][a-zA-Z]*$/);
        assert.equal(findStepKind(kind.name), kind);
        assertOneLine(kind.summary);
        assert.equal(typeof kind.idempotent, 'boolean');
        const parsed = kind.spec.parse(spec);
        const timeoutMs = kind.defaultTimeoutMs(parsed);
        assert.ok(Number.isInteger(timeoutMs) && timeoutMs > 0, `default timeout ${timeoutMs}`);
        const unknown = kind.spec.safeParse({ ...spec, notAField: true });
        assert.equal(unknown.success, false, 'an unknown field is refused');
        assert.match(JSON.stringify(unknown.error?.issues), /notAField/);
        return Promise.resolve();
      }));

    test('it declares its sections, and a Runbook takes it there and nowhere else', () =>
      withCase(fixture.passing, ({ spec }) => {
        assert.ok(kind.sections.length > 0, 'at least one section');
        assert.equal(new Set(kind.sections).size, kind.sections.length, 'no section twice');
        for (const section of kind.sections) assert.ok(SECTIONS.includes(section), section);
        for (const section of SECTIONS) {
          const declared = kind.sections.includes(section);
          assert.equal(stepKindsFor(section).includes(kind), declared);
          const load = () => runbookWith(kind.name, spec, section);
          if (declared) load();
          else assert.throws(load, (err) => unknownKey(err, kind.name), `refused in ${section}`);
        }
        return Promise.resolve();
      }));

    test('describe of a prepared step is JSON, and summarize says it in one line', async () => {
      for (const make of [fixture.passing, ...fixture.failing, fixture.slow]) {
        if (make === null) continue;
        await withCase(make, async (c) => {
          const described = kind.describe(kind.prepare(kind.spec.parse(c.spec), prepareFor(c)));
          // The journal stores it as JSON and the live view summarizes what it reads back.
          const stored = JSON.parse(JSON.stringify(described)) as Record<string, unknown>;
          assert.deepEqual(stored, described);
          assertOneLine(kind.summarize(stored));
        });
      }
    });

    const { refused } = fixture;
    if (refused === null) {
      test('it renders no templates: prepare needs nothing of the run', () =>
        withCase(fixture.passing, ({ spec }) => {
          const bare = { values: { params: {}, dashParams: new Set<string>(), runId: 'r1' } };
          kind.prepare(kind.spec.parse(spec), { ...prepareContext, ...bare });
          return Promise.resolve();
        }));
    } else {
      test('a value the run does not have is a Refusal at prepare, and the step never runs', async () => {
        const parsed = kind.spec.parse(refused);
        assert.throws(
          () => kind.prepare(parsed, prepareContext),
          (err) => err instanceof Refusal && /service\.labels\.team/.test(err.message),
        );
        assertOneLine(await runRefused(kind, refused));
      });
    }

    test('a passing step gives ok', () =>
      withCase(fixture.passing, async (c) => {
        const result = await execute(kind, c, AbortSignal.timeout(RUN_MS), RUN_MS);
        assert.equal(result.ok, true, result.error);
      }));

    if (fixture.failing.length > 0) {
      test('an expected failure is a result, not ok, with a one-line error; never a throw', async () => {
        for (const failing of fixture.failing) {
          await withCase(failing, async (c) => {
            const result = await execute(kind, c, AbortSignal.timeout(RUN_MS), RUN_MS);
            assert.equal(result.ok, false, JSON.stringify(c.spec));
            assertOneLine(result.error);
          });
        }
      });
    }

    const { slow } = fixture;
    if (slow === null) {
      test('with nothing to wait for, it finishes well within a short timeout', () =>
        withCase(fixture.passing, async (c) => {
          const started = performance.now();
          await execute(kind, c, timeoutSignal(), TIMEOUT_MS);
          assert.ok(performance.now() - started < TIMEOUT_MS);
        }));
    } else {
      test('a step cut by its timeout returns promptly, not ok, saying so', () =>
        withCase(slow, async (c) => {
          const started = performance.now();
          const result = await execute(kind, c, timeoutSignal(), TIMEOUT_MS);
          const tookMs = performance.now() - started;
          assert.equal(result.ok, false);
          assertOneLine(result.error);
          assert.match(result.error ?? '', new RegExp(`timed out after ${TIMEOUT_MS} ms`));
          assert.ok(tookMs < TIMEOUT_MS + SLACK_MS, `took ${Math.round(tookMs)} ms`);
          if (c.released) await settleWithin(c.released(), 1000);
        }));
    }

    test('an already aborted signal gives a result at once, never a throw', () =>
      withCase(slow ?? fixture.passing, async (c) => {
        const controller = new AbortController();
        controller.abort(new Error('mend is stopping'));
        const started = performance.now();
        await execute(kind, c, controller.signal, 0);
        assert.ok(performance.now() - started < SLACK_MS);
      }));
  });
}

/** A signal aborted as the executor aborts a step at its timeout. */
function timeoutSignal(): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  return controller.signal;
}

/**
 * Prepares and executes the case's step once, as the executor does but without its safety net:
 * a throw fails the test, and so does a step still running 2 s after its signal should end it.
 */
async function execute(
  kind: StepKind,
  c: StepCase & { store: Store },
  signal: AbortSignal,
  endsByMs: number,
): Promise<StepResult> {
  const prepared = kind.prepare(kind.spec.parse(c.spec), prepareFor(c));
  const ctx: StepContext = {
    timeoutMs: endsByMs,
    signal,
    maxOutputBytes: 64 * 1024,
    service: undefined,
    lead: undefined,
    store: c.store,
    notify: undefined,
    key: 'r1:steps:0:1',
    runId: 'r1',
    now: Date.now,
    ...c.context,
  };
  return settleWithin(kind.execute(prepared, ctx), endsByMs + 2000);
}

/** A config with service api and a runbook holding the step in `section` (and a verify step). */
function runbookWith(kindName: string, spec: Record<string, unknown>, section: StepSection) {
  const step = { [kindName]: spec };
  const verify = { verify: {} };
  return configFromSpecs([
    {
      kind: 'Service',
      name: 'api',
      spec: { checks: [{ name: 'live', exec: { command: ['true'] } }] },
    },
    {
      kind: 'Runbook',
      name: 'r',
      spec:
        section === 'evidence' ? { evidence: [step], steps: [verify] } : { steps: [step, verify] },
    },
  ]);
}

/** The schema's refusal of a key it does not know (a step kind where that kind may not be). */
function unknownKey(err: unknown, key: string): boolean {
  return (
    err instanceof z.ZodError &&
    err.issues.some((issue) => issue.code === 'unrecognized_keys' && issue.keys.includes(key))
  );
}

/**
 * Runs a runbook holding the refused step through the executor; why it was refused, from where
 * the executor says it: an action step stops the whole run before anything runs (the outcome
 * names it and nothing is journaled), an evidence step is journaled refused and the run goes on.
 */
async function runRefused(kind: StepKind, spec: Record<string, unknown>): Promise<string> {
  const section = kind.sections.includes('action') ? 'action' : 'evidence';
  const config = runbookWith(kind.name, spec, section);
  const store = await openStore({ path: ':memory:' });
  try {
    const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
    const outcome = await executor.run({
      runId: 'r1',
      runbook: 'r',
      service: 'api',
      params: {},
      actor: 't',
    });
    const rows = (await store.listJournal('r1')).filter(
      (row) => (row.payload as { kind?: string }).kind === kind.name,
    );
    if (section === 'action') {
      assert.equal(outcome?.result, 'failed');
      assert.deepEqual(rows, [], 'refused before the run started: nothing journaled');
      assert.match(outcome!.detail, new RegExp(`^steps\\[0\\] ${kind.name} would be refused: `));
      return outcome!.detail;
    }
    assert.deepEqual(
      rows.map((row) => row.phase),
      ['result'],
      'refused before it started: no intent journaled',
    );
    const record = rows[0]!.payload as StepRecord;
    assert.equal(record.status, 'refused');
    return record.error!;
  } finally {
    await store.close();
  }
}

async function withCase(
  make: MakeCase,
  use: (c: StepCase & { store: Store }) => Promise<void>,
): Promise<void> {
  const store = await openStore({ path: ':memory:' });
  try {
    const c = await make(store);
    try {
      await use({ ...c, store });
    } finally {
      await c.close?.();
    }
  } finally {
    await store.close();
  }
}
