import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from '../../src/support/bound-histogram.ts';

const BUCKETS = [0.001, 0.01, 0.1, 1, 10];

/** The same observations into prom-client's Histogram and a BoundHistogram, both exposed. */
async function exposed(observations: { kind: string; value: number }[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({
    name: 'h_seconds',
    help: 'Help.',
    labelNames: ['kind'],
    buckets: BUCKETS,
    registers: [theirs],
  });
  const bound = new BoundHistogram({
    name: 'h_seconds',
    help: 'Help.',
    labelNames: ['kind'] as const,
    buckets: BUCKETS,
    registers: [ours],
  });
  for (const { kind, value } of observations) {
    reference.observe({ kind }, value);
    bound.labels({ kind }).observe(value);
  }
  return {
    theirs: await theirs.metrics(),
    ours: await ours.metrics(),
    // Without exemplars (BoundHistogram keeps none; prom-client's lines carry an empty one).
    theirsJson: JSON.parse(
      JSON.stringify(await theirs.getMetricsAsJSON(), (key, value) =>
        key === 'exemplar' ? undefined : value,
      ),
    ),
    oursJson: JSON.parse(JSON.stringify(await ours.getMetricsAsJSON())),
  };
}

test("a BoundHistogram exposes what prom-client's Histogram does for the same observations", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          kind: fc.constantFrom('http', 'tcp', 'exec'),
          // Bounds included: `le` is "less than or equal".
          value: fc.oneof(
            fc.constantFrom(...BUCKETS, 0),
            fc.double({ min: 0, max: 100, noNaN: true }),
          ),
        }),
        { maxLength: 50 },
      ),
      async (observations) => {
        const { theirs, ours, theirsJson, oursJson } = await exposed(observations);
        assert.equal(ours, theirs);
        assert.deepEqual(oursJson, theirsJson);
      },
    ),
    { numRuns: 200 },
  );
});

test('a bound child is kept: observing through it twice counts twice in one series', async () => {
  const registry = new Registry();
  const bound = new BoundHistogram({
    name: 'x_seconds',
    help: 'Help.',
    labelNames: ['kind'] as const,
    buckets: [1],
    registers: [registry],
  });
  const child = bound.labels({ kind: 'http' });
  child.observe(0.5);
  bound.labels({ kind: 'http' }).observe(2);
  const text = await registry.metrics();
  assert.match(text, /^x_seconds_bucket\{le="1",kind="http"\} 1$/m);
  assert.match(text, /^x_seconds_bucket\{le="\+Inf",kind="http"\} 2$/m);
  assert.match(text, /^x_seconds_count\{kind="http"\} 2$/m);
  bound.reset();
  assert.match(await registry.metrics(), /^x_seconds_count\{kind="http"\} 0$/m);
});
