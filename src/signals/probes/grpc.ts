import { z } from 'zod';
import { defineProbeKind } from './probe-kind.ts';

// grpc-js is heavy (about 20 MiB per thread that loads it): it is loaded on the first gRPC probe,
// so configs without gRPC checks, and the threads that only validate config, never pay for it.
let implementation: Promise<typeof import('./grpc-health-check.ts')> | undefined;

export const grpcProbeSpec = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Host name or IP address.'),
  port: z.int().min(1).max(65535).describe('gRPC port.'),
  service: z
    .string()
    .default('')
    .describe('Service name sent in grpc.health.v1.HealthCheckRequest; empty means the server.'),
  tls: z.boolean().default(false).describe('Use TLS (verified against the system CAs).'),
});

export type GrpcProbeSpec = z.output<typeof grpcProbeSpec>;

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
