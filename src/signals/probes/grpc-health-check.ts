import {
  type ChannelCredentials,
  Client,
  credentials,
  status as GrpcStatus,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { PROBE_USER_AGENT } from '../../support/version.ts';
import type { ProbeResult } from '../observation.ts';
import { abortMessage } from './abort-message.ts';
import {
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  servingStatusName,
} from './grpc-health-codec.ts';
import { SocketTrackingCredentials } from './grpc-socket-tracking.ts';
import type { GrpcProbeSpec } from './grpc-spec.ts';
import type { ProbeContext } from './probe-kind.ts';

let insecure: ChannelCredentials | undefined;
let secure: ChannelCredentials | undefined;

function credentialsFor(tls: boolean): ChannelCredentials {
  if (tls) {
    secure ??= credentials.createSsl();
    return secure;
  }
  insecure ??= credentials.createInsecure();
  return insecure;
}

const CHECK = '/grpc.health.v1.Health/Check';

const CHANNEL_OPTIONS = {
  // Each probe gets its own connection, closed with the client: a connection kept in grpc-js's
  // global pool would let a server that no longer accepts connections look healthy.
  'grpc.use_local_subchannel_pool': 1,
  // A probe reports what it saw; retrying is the engine's decision, not the channel's.
  'grpc.enable_retries': 0,
  'grpc.max_receive_message_length': 64 * 1024,
  // As kubelet's gRPC probe says kube-probe/1.33; grpc-js adds its own name after it.
  'grpc.primary_user_agent': PROBE_USER_AGENT,
};

/** One grpc.health.v1.Health/Check call on a connection of its own. */
export function checkHealth(
  spec: GrpcProbeSpec,
  target: string,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const creds = credentialsFor(spec.tls);
  const doing = `calling grpc.health.v1.Health/Check on ${target}`;
  if (ctx.signal.aborted) return Promise.resolve({ ok: false, error: abortMessage(ctx, 0, doing) });
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const tracking = new SocketTrackingCredentials(creds);
    const client = new Client(target, tracking, CHANNEL_OPTIONS);
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      client.close();
      tracking.destroySockets();
      resolve(result);
    };
    const onAbort = (): void => {
      call.cancel();
      finish({ ok: false, error: abortMessage(ctx, performance.now() - startedAt, doing) });
    };
    const call = client.makeUnaryRequest(
      CHECK,
      encodeHealthCheckRequest,
      decodeHealthCheckResponse,
      { service: spec.service },
      new Metadata(),
      { deadline: Date.now() + ctx.timeoutMs },
      (error, response) => {
        if (error) finish(describeGrpcError(error, spec, ctx, doing));
        else finish(verdict(response?.status ?? 0));
      },
    );
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function verdict(status: number): ProbeResult {
  const name = servingStatusName(status);
  if (name === 'SERVING') return { ok: true, status: name };
  return { ok: false, status: name, error: `health status ${name}, expected SERVING` };
}

function describeGrpcError(
  error: ServiceError,
  spec: GrpcProbeSpec,
  ctx: ProbeContext,
  doing: string,
): ProbeResult {
  const code = GrpcStatus[error.code] ?? String(error.code);
  const details = error.details ? `: ${error.details}` : '';
  switch (error.code) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return { ok: false, error: `timed out after ${ctx.timeoutMs} ms ${doing} (gRPC ${code})` };
    case GrpcStatus.NOT_FOUND:
      // The health protocol's answer to Check for a service the server does not know.
      return {
        ok: false,
        status: 'SERVICE_UNKNOWN',
        error: `service ${JSON.stringify(spec.service)} is unknown to the health server (gRPC ${code}${details})`,
      };
    case GrpcStatus.UNIMPLEMENTED:
      return {
        ok: false,
        error: `gRPC ${code}: the server does not implement grpc.health.v1.Health${details}`,
      };
    default:
      return { ok: false, error: `gRPC ${code}${details}` };
  }
}
