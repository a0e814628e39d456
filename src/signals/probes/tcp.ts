import { connect, type Socket } from 'node:net';
import { z } from 'zod';
import type { ProbePhases, ProbeResult } from '../observation.ts';
import { abortMessage } from './abort-message.ts';
import { defineProbeKind, type ProbeContext } from './probe-kind.ts';
import { formatPeer, resolveAddress } from './resolve-address.ts';
import { describeSocketError } from './socket-error.ts';

export const tcpProbeSpec = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Host name or IP address to connect to.'),
  port: z.int().min(1).max(65535).describe('TCP port.'),
});

export type TcpProbeSpec = z.output<typeof tcpProbeSpec>;

export const tcpProbe = defineProbeKind({
  name: 'tcp',
  summary: 'Opens a TCP connection; succeeds when the connection is established.',
  spec: tcpProbeSpec,
  prepare(spec) {
    return (ctx) => probeTcp(spec, ctx);
  },
});

function probeTcp(spec: TcpProbeSpec, ctx: ProbeContext): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const phases: ProbePhases = {};
    let socket: Socket | undefined;
    let doing = `resolving ${spec.host}`;
    let settled = false;

    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      ctx.offAbort(onAbort);
      socket?.destroy();
      resolve(error === undefined ? { ok: true, phases } : { ok: false, error, phases });
    };
    const onAbort = (): void => finish(abortMessage(ctx, performance.now() - startedAt, doing));
    if (ctx.aborted) {
      onAbort();
      return;
    }
    ctx.onAbort(onAbort);

    resolveAddress(
      spec.host,
      ({ address, family }) => {
        if (settled) return;
        const resolvedAt = performance.now();
        phases.resolveMs = resolvedAt - startedAt;
        const peer = formatPeer(address, spec.port);
        doing = `connecting to ${peer}`;
        socket = connect({ host: address, port: spec.port, family });
        socket.once('connect', () => {
          phases.connectMs = performance.now() - resolvedAt;
          finish();
        });
        socket.once('error', (error) => finish(describeSocketError(error, peer, doing)));
      },
      finish,
    );
  });
}
