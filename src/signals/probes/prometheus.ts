import { z } from 'zod';
import type { ProbeResult, SeriesSample } from '../observation.ts';
import {
  describeCondition,
  FAIL_CONDITION_EXPECTED,
  type FailCondition,
  fails,
  parseFailCondition,
} from '../prometheus/fail-condition.ts';
import { formatLabels } from '../prometheus/format-labels.ts';
import { type InstantSample, queryInstant } from '../prometheus/prometheus-client.ts';
import { abortMessage } from './abort-message.ts';
import { defineProbeKind, type ProbeContext } from './probe-kind.ts';

/** The source a `prometheus` check asks: what its failures are blamed on instead of the service. */
export const PROMETHEUS_SOURCE = 'prometheus';

export const PROMETHEUS_DEFAULTS = { failWhen: 'nonEmpty', maxSeries: 100 } as const;

/** An answer bigger than this is a query too wide for a check, refused rather than parsed. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export const prometheusProbeSpec = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'expected the http(s) URL of a Prometheus' })
    .describe('Prometheus’s base URL (`http://127.0.0.1:9090`); the API paths are added to it.'),
  query: z
    .string()
    .min(1)
    .max(16 * 1024)
    .describe('PromQL instant query; each series it returns is judged on its own.'),
  failWhen: z
    .string()
    .default(PROMETHEUS_DEFAULTS.failWhen)
    .refine((text) => !('error' in parseFailCondition(text)), { error: FAIL_CONDITION_EXPECTED })
    .describe(
      'When a series fails: `nonEmpty` (every series returned fails, as an alerting rule fires for each) or a comparison of its value such as `> 0.05`. Default `nonEmpty`.',
    ),
  maxSeries: z
    .int()
    .min(1)
    .max(10_000)
    .default(PROMETHEUS_DEFAULTS.maxSeries)
    .describe(
      'Series judged per run, the first by their labels; the rest are left out and the observation says how many. Default 100.',
    ),
});

export type PrometheusProbeSpec = z.output<typeof prometheusProbeSpec>;

export const prometheusProbe = defineProbeKind({
  name: 'prometheus',
  summary:
    'Runs an instant PromQL query; each returned series is judged by `failWhen` and makes its own signal. Prometheus down is the source’s failure, not the service’s.',
  spec: prometheusProbeSpec,
  prepare(spec) {
    const condition = parseFailCondition(spec.failWhen) as FailCondition;
    return (ctx) => probePrometheus(spec, condition, ctx);
  },
});

async function probePrometheus(
  spec: PrometheusProbeSpec,
  condition: FailCondition,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const startedAt = performance.now();
  const answer = await queryInstant(spec.url, spec.query, {
    signal: ctx.signal,
    maxBytes: MAX_ANSWER_BYTES,
  });
  if (!answer.ok) {
    const said = ctx.signal.aborted
      ? abortMessage(ctx, performance.now() - startedAt, `querying ${spec.url}`)
      : answer.error;
    // Stopped by mend (shutdown): nothing was learnt about Prometheus either way.
    const error = said.startsWith('aborted') ? said : `source down: ${said}`;
    // Counted neither way: the monitoring failing says nothing about the service.
    return { ok: false, discarded: true, sourceDown: PROMETHEUS_SOURCE, error };
  }
  return judge(answer.result, condition, spec.maxSeries);
}

function judge(samples: InstantSample[], condition: FailCondition, maxSeries: number): ProbeResult {
  // Sorted so that the series kept under maxSeries are the same from one run to the next.
  const keyed = samples.map((sample) => ({ key: formatLabels(sample.labels), sample }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const kept = keyed.slice(0, maxSeries);
  const series: SeriesSample[] = kept.map(({ sample }) => ({
    labels: sample.labels,
    value: sample.value,
    ok: !fails(condition, sample.value),
  }));
  const failing = kept.filter((_, i) => !series[i]!.ok);
  const omitted = samples.length - kept.length;
  const lines = failing.slice(0, 20).map(({ key, sample }) => `${key} ${sample.value}`);
  if (failing.length > 20) lines.push(`... and ${failing.length - 20} more failing`);
  if (omitted > 0) lines.push(`${omitted} series over maxSeries left out`);
  const result: ProbeResult = {
    ok: failing.length === 0,
    status: samples.length,
    series,
    ...(lines.length > 0 ? { output: lines.join('\n') } : {}),
  };
  if (failing.length > 0) {
    const first = failing[0]!;
    const more = failing.length > 1 ? ` (and ${failing.length - 1} more series)` : '';
    result.error = `${first.key} ${first.sample.value} ${describeCondition(condition)}${more}`;
  }
  return result;
}
