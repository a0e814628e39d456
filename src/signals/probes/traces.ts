import { z } from 'zod';
import type { ProbeResult } from '../observation.ts';
import { MAX_WINDOW_SECONDS, receivedTraces, type SpanNote } from '../sources/trace-windows.ts';
import { abortMessage } from './abort-message.ts';
import { boundedText } from './bounded-output.ts';
import { defineProbeKind } from './probe-kind.ts';

export const tracesProbeSpec = z
  .strictObject({
    service: z
      .string()
      .min(1)
      .describe(
        'The `service.name` resource attribute of the spans to judge (OTLP, POST /v1/traces).',
      ),
    windowSeconds: z
      .int()
      .min(1)
      .max(MAX_WINDOW_SECONDS)
      .default(60)
      .describe('The sliding window of server spans judged, in seconds.'),
    minRequests: z
      .int()
      .min(1)
      .default(10)
      .describe(
        'Fewer server spans than this within the window: no verdict (passes, with a warning).',
      ),
    maxErrorRatio: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Fail when the share of server spans with status ERROR is above this (0.05 = 5%).'),
    latency: z
      .strictObject({
        quantile: z.number().gt(0).lt(1).default(0.99).describe('Which quantile: 0.99 is p99.'),
        maxMs: z.number().positive().describe('Fail when the quantile is above this many ms.'),
      })
      .optional()
      .describe('Fail when a latency quantile of the server spans is above a bound.'),
  })
  .refine((spec) => spec.maxErrorRatio !== undefined || spec.latency !== undefined, {
    message: 'expected maxErrorRatio, latency or both: a traces check needs something to judge',
  });

type TracesProbeSpec = z.output<typeof tracesProbeSpec>;
/** What forVerify adds: judge only the spans that started after the verify began. */
type VerifySpec = TracesProbeSpec & { afterPrepare?: boolean };

export const tracesProbe = defineProbeKind({
  name: 'traces',
  summary:
    'Judges the server spans a service sent over OTLP: fails when the error ratio or a latency quantile in a sliding window passes a bound.',
  spec: tracesProbeSpec,
  // The spans are received by this mend's API, in the main thread: the probe reads them there.
  thread: 'main',
  forVerify: (spec) => {
    const verify: VerifySpec = { ...spec, afterPrepare: true };
    return verify;
  },
  prepare(spec: VerifySpec) {
    const since = spec.afterPrepare === true ? Date.now() : undefined;
    return async (ctx): Promise<ProbeResult> => {
      if (ctx.signal.aborted) return { ok: false, error: abortMessage(ctx, 0, 'before judging') };
      const now = Date.now();
      const summary = receivedTraces.summary(spec.service, spec.windowSeconds, now, since);
      const window = `the last ${spec.windowSeconds}s`;
      const counted = `${summary.errors} of ${summary.requests} server span(s) of ${spec.service} failed in ${window}`;
      if (summary.requests < spec.minRequests) {
        return {
          ok: true,
          status: summary.requests,
          warning: `no verdict: ${summary.requests} server span(s) of ${spec.service} in ${window}, fewer than minRequests ${spec.minRequests}`,
        };
      }
      const problems: string[] = [];
      if (spec.maxErrorRatio !== undefined && summary.errorRatio > spec.maxErrorRatio) {
        problems.push(
          `error ratio ${percent(summary.errorRatio)} above ${percent(spec.maxErrorRatio)} (${counted})`,
        );
      }
      if (spec.latency !== undefined) {
        const { quantile, maxMs } = spec.latency;
        const value = summary.quantileMs(quantile);
        if (value !== undefined && value > maxMs) {
          problems.push(
            `p${Math.round(quantile * 1000) / 10} latency ${Math.round(value)} ms above ${maxMs} ms over ${summary.requests} server span(s) in ${window}`,
          );
        }
      }
      if (problems.length === 0) return { ok: true, status: summary.requests };
      const lines = [
        ...summary.failing.map((span) => `failing ${describe(span)}`),
        ...summary.slowest.map((span) => `slowest ${describe(span)}`),
      ];
      return {
        ok: false,
        status: summary.requests,
        error: problems.join('; '),
        output: boundedText(Buffer.from(lines.join('\n'), 'utf8'), ctx.maxOutputBytes, false),
      };
    };
  },
});

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function describe(span: SpanNote): string {
  const status = span.error ? ` ERROR${span.statusMessage ? ` ${span.statusMessage}` : ''}` : '';
  const attributes = Object.entries(span.attributes)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return `trace ${span.traceId} span ${span.spanId} "${span.name}" ${Math.round(span.durationMs)} ms${status}${attributes ? ` ${attributes}` : ''}`;
}
