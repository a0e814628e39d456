import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../src/config/config.ts';
import { checkSchema } from '../../src/config/kinds/service.ts';
import { checkDefinitions } from '../../src/signals/check-identity.ts';
import { Detector } from '../../src/signals/detector.ts';
import { probeKinds } from '../../src/signals/probes/registry.ts';
import type { ProbeOutcome } from '../../src/signals/scheduler.ts';
import type { Signal } from '../../src/signals/signal.ts';

function service(name: string, checks: Record<string, unknown>[], labels = {}): ServiceConfig {
  return {
    name,
    labels,
    selector: [],
    events: [],
    dependsOn: [],
    checks: checks.map((c) => checkSchema(probeKinds).parse(c)),
    source: { file: 'test.yaml', line: 1, col: 1 },
  };
}

const tcp = { tcp: { port: 1 } };

function outcomes(services: ServiceConfig[], key: string, oks: boolean[], t0 = 0): ProbeOutcome[] {
  const def = checkDefinitions(services).find((d) => d.key === key)!;
  return oks.map((ok, i) => ({
    key,
    revision: def.revision,
    latenessMs: 0,
    observation: {
      ok,
      startedAt: t0 + i * 1000,
      durationMs: 2,
      ...(ok ? {} : { error: 'refused' }),
    },
  }));
}

test('a failing check fires one signal with identity, labels and evidence; recovery resolves it', () => {
  const signals: Signal[] = [];
  const detector = new Detector((s) => signals.push(s));
  const services = [
    service('api', [{ name: 'live', ...tcp, labels: { port: 'http' } }], { team: 'a' }),
  ];
  detector.load(services);
  detector.observe(
    outcomes(services, 'api/live', [true, false, false, false, false, true], 10_000),
  );
  assert.deepEqual(
    signals.map((s) => [s.status, s.startsAt, s.at]),
    [
      ['firing', 11_000, 13_002],
      ['resolved', 11_000, 15_002],
    ],
  );
  const [firing, resolved] = signals;
  assert.equal(
    firing!.fingerprint,
    resolved!.fingerprint,
    'one identity across firing and resolved',
  );
  assert.deepEqual(firing!.labels, {
    team: 'a',
    port: 'http',
    source: 'probe',
    service: 'api',
    check: 'live',
    role: 'liveness',
  });
  assert.equal(firing!.summary, '3 consecutive failures: refused');
  assert.equal(firing!.evidence.length, 4);
});

test('fingerprints differ between checks and are stable across runs', () => {
  const fingerprints: string[] = [];
  for (let run = 0; run < 2; run++) {
    const detector = new Detector((s) => fingerprints.push(s.fingerprint));
    const services = [
      service('api', [
        { name: 'a', ...tcp },
        { name: 'b', ...tcp },
      ]),
    ];
    detector.load(services);
    detector.observe(outcomes(services, 'api/a', [false, false, false]));
    detector.observe(outcomes(services, 'api/b', [false, false, false]));
  }
  assert.equal(new Set(fingerprints).size, 2);
  assert.deepEqual(fingerprints.slice(0, 2), fingerprints.slice(2));
});

test('until the startup check passes, other checks are not judged; then startup is not judged', () => {
  const signals: Signal[] = [];
  const detector = new Detector((s) => signals.push(s));
  const services = [
    service('api', [
      { name: 'boot', role: 'startup', failureThreshold: 30, ...tcp },
      { name: 'live', ...tcp },
    ]),
  ];
  detector.load(services);
  detector.observe(outcomes(services, 'api/live', [false, false, false, false]));
  assert.equal(signals.length, 0, 'liveness failures during startup are ignored');
  detector.observe(outcomes(services, 'api/boot', [false, true]));
  detector.observe(outcomes(services, 'api/boot', Array(40).fill(false)));
  assert.equal(signals.length, 0, 'a startup check that passed is not judged again');
  detector.observe(outcomes(services, 'api/live', [false, false, false]));
  assert.deepEqual(
    signals.map((s) => `${s.check} ${s.status}`),
    ['live firing'],
  );
});

test('a reload keeps the state of unchanged checks and resets changed ones', () => {
  const signals: Signal[] = [];
  const detector = new Detector((s) => signals.push(s));
  const v1 = [
    service('api', [
      { name: 'a', ...tcp },
      { name: 'b', ...tcp },
    ]),
  ];
  detector.load(v1);
  detector.observe(outcomes(v1, 'api/a', [false, false, false]));
  detector.observe(outcomes(v1, 'api/b', [false, false, false]));
  assert.equal(signals.length, 2);
  const v2 = [
    service('api', [
      { name: 'a', ...tcp },
      { name: 'b', ...tcp, failureThreshold: 5 },
    ]),
  ];
  detector.load(v2);
  const states = Object.fromEntries(detector.snapshot().map((c) => [c.key, c.state.status]));
  assert.deepEqual(states, { 'api/a': 'failing', 'api/b': 'unknown' });
  detector.observe(outcomes(v1, 'api/b', [true]));
  assert.equal(signals.length, 2, 'an outcome of the old revision is ignored');
  detector.observe(outcomes(v2, 'api/a', [true]));
  assert.deepEqual(signals.at(-1)?.status, 'resolved');
});

test('after a restart, a check found healthy resolves the signal the record still holds firing', () => {
  const services = [
    service('api', [
      { name: 'live', ...tcp },
      { name: 'other', ...tcp },
    ]),
  ];
  const firing = new Map<string, number>();
  const signals: Signal[] = [];
  const detector = new Detector(
    (s) => signals.push(s),
    (svc, fp) => (svc === 'api' ? firing.get(fp) : undefined),
  );
  // What the record holds: api/live firing since 5,000 (the fingerprint a first run emitted).
  const fired: Signal[] = [];
  const first = new Detector((s) => fired.push(s));
  first.load(services);
  first.observe(outcomes(services, 'api/live', [false, false, false]));
  firing.set(fired[0]!.fingerprint, 5_000);

  detector.load(services);
  detector.observe(outcomes(services, 'api/live', [true], 20_000));
  detector.observe(outcomes(services, 'api/other', [true], 20_000));
  assert.deepEqual(
    signals.map((s) => [s.check, s.status, s.startsAt]),
    [['live', 'resolved', 5_000]],
    'only the check the record holds firing is resolved, once',
  );
  detector.observe(outcomes(services, 'api/live', [true], 21_000));
  assert.equal(signals.length, 1);
});
