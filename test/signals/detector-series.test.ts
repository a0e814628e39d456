import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../src/config/config.ts';
import { checkSchema } from '../../src/config/kinds/service.ts';
import { checkDefinitions } from '../../src/signals/check-identity.ts';
import { Detector } from '../../src/signals/detector.ts';
import type { Observation, SeriesSample } from '../../src/signals/observation.ts';
import { probeKinds } from '../../src/signals/probes/registry.ts';
import type { HeldSeries } from '../../src/signals/series-states.ts';
import type { Signal } from '../../src/signals/signal.ts';

/** A `prometheus` check: one signal per series, judged with the check's thresholds. */
const services: ServiceConfig[] = [
  {
    name: 'api',
    labels: { team: 'shop' },
    selector: [],
    events: [],
    dependsOn: [],
    checks: [
      checkSchema(probeKinds).parse({
        name: 'errors',
        failureThreshold: 2,
        prometheus: { url: 'http://127.0.0.1:9090', query: 'error_ratio > 0.05' },
      }),
    ],
    source: { file: 'test.yaml', line: 1, col: 1 },
  },
];
const definition = checkDefinitions(services)[0]!;

const a = { instance: 'a', job: 'api' };
const b = { instance: 'b', job: 'api' };
const failing = (labels: Record<string, string>): SeriesSample => ({
  labels,
  value: 0.5,
  ok: false,
});

function run(detector: Detector, t: number, result: Partial<Observation>): void {
  detector.observe([
    {
      key: definition.key,
      revision: definition.revision,
      latenessMs: 0,
      observation: { ok: true, startedAt: t * 1000, durationMs: 1, ...result },
    },
  ]);
}

function series(...samples: SeriesSample[]): Partial<Observation> {
  return { ok: samples.every((s) => s.ok), series: samples };
}

test('each series fires and resolves on its own, labelled with its labels', () => {
  const signals: Signal[] = [];
  const detector = new Detector((s) => signals.push(s));
  detector.load(services);
  run(detector, 1, series(failing(a)));
  run(detector, 2, series(failing(a), failing(b)));
  run(detector, 3, series(failing(b)));
  run(detector, 4, series(failing(b)));
  run(detector, 5, series());
  assert.deepEqual(
    signals.map((s) => [s.labels.instance, s.status, s.startsAt, s.at]),
    [
      ['a', 'firing', 1000, 2001],
      ['b', 'firing', 2000, 3001],
      ['a', 'resolved', 1000, 3001],
      ['b', 'resolved', 2000, 5001],
    ],
  );
  const [first] = signals;
  assert.equal(first?.source, 'prometheus');
  assert.equal(first?.check, 'errors');
  assert.equal(first?.labels.team, 'shop');
  assert.equal(first?.labels.service, 'api');
  assert.equal(first?.labels.role, 'liveness');
  assert.equal(first?.evidence.at(-1)?.series?.[0]?.labels.instance, 'a');
  assert.notEqual(signals[0]?.fingerprint, signals[1]?.fingerprint, 'one identity per series');
  assert.equal(signals[0]?.fingerprint, signals[2]?.fingerprint);
  const check = detector.snapshot()[0];
  assert.equal(check?.state.status, 'healthy', 'the check follows its series');
});

test('Prometheus down: the run is discarded, no series moves, no signal', () => {
  const signals: Signal[] = [];
  const detector = new Detector((s) => signals.push(s));
  detector.load(services);
  run(detector, 1, series(failing(a)));
  for (let t = 2; t < 10; t++) {
    run(detector, t, {
      ok: false,
      discarded: true,
      sourceDown: 'prometheus',
      error: 'source down',
    });
  }
  assert.equal(signals.length, 0, 'neither a firing (monitoring down) nor a resolution');
  run(detector, 10, series(failing(a)));
  assert.deepEqual(
    signals.map((s) => s.status),
    ['firing'],
    'the count picks up where it was',
  );
});

test('after a restart, a series the record holds firing resolves though it is no longer returned', () => {
  const signals: Signal[] = [];
  const before: Signal[] = [];
  const first = new Detector((s) => before.push(s));
  first.load(services);
  run(first, 1, series(failing(a)));
  run(first, 2, series(failing(a)));
  const fired = before[0];
  assert.ok(fired);
  const held: HeldSeries[] = [
    { fingerprint: fired.fingerprint, labels: fired.labels, startsAt: fired.startsAt },
  ];
  const asked: string[] = [];
  const restarted = new Detector(
    (s) => signals.push(s),
    () => undefined,
    (service, check) => {
      asked.push(`${service}/${check}`);
      return held;
    },
  );
  restarted.load(services);
  run(restarted, 10, series());
  run(restarted, 11, series());
  assert.deepEqual(asked, ['api/errors'], 'asked once');
  assert.deepEqual(
    signals.map((s) => [s.status, s.fingerprint, s.startsAt]),
    [['resolved', fired.fingerprint, fired.startsAt]],
  );
  assert.deepEqual(signals[0]?.labels, fired.labels);
});
