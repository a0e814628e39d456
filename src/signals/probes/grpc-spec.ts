import { z } from 'zod';

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
