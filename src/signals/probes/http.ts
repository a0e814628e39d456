import { prepareHttpProbe } from './http-check.ts';
import { httpProbeSpec } from './http-spec.ts';
import { defineProbeKind } from './probe-kind.ts';

export const httpProbe = defineProbeKind({
  name: 'http',
  summary: 'HTTP(S) request; checks status, body and latency; records phase timings.',
  spec: httpProbeSpec,
  prepare: prepareHttpProbe,
});
