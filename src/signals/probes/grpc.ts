import { grpcProbeSpec } from './grpc-spec.ts';
import { defineProbeKind } from './probe-kind.ts';

// grpc-js is heavy (about 20 MiB per thread that loads it): it is loaded on the first gRPC probe,
// so configs without gRPC checks, and the threads that only validate config, never pay for it.
let implementation: Promise<typeof import('./grpc-health-check.ts')> | undefined;

export const grpcProbe = defineProbeKind({
  name: 'grpc',
  summary: 'Calls grpc.health.v1.Health/Check; succeeds when the answer is SERVING.',
  spec: grpcProbeSpec,
  prepare(spec) {
    const target = `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    return async (ctx) => {
      implementation ??= import('./grpc-health-check.ts');
      const { checkHealth } = await implementation;
      return checkHealth(spec, target, ctx);
    };
  },
});
