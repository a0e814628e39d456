import { z } from 'zod';
import { defineProbeKind } from './probe-kind.ts';

export const tcpProbeSpec = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Host name or IP address to connect to.'),
  port: z.int().min(1).max(65535).describe('TCP port.'),
});

export type TcpProbeSpec = z.output<typeof tcpProbeSpec>;

export const tcpProbe = defineProbeKind({
  name: 'tcp',
  summary: 'Opens a TCP connection; succeeds when the connection is established.',
  spec: tcpProbeSpec,
  prepare(_spec) {
    throw new Error('tcp probe: not implemented yet');
  },
});
