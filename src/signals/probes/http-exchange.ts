import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type SecureContext, type TLSSocket } from 'node:tls';
import type { ProbePhases, TlsFacts } from '../observation.ts';
import { abortMessage } from './abort-message.ts';
import type { BodyPlan, ResponseHead } from './http-response-reader.ts';
import { ResponseReader } from './http-response-reader.ts';
import type { ProbeContext } from './probe-kind.ts';
import { formatPeer, resolveAddress } from './resolve-address.ts';
import { describeSocketError } from './socket-error.ts';
import { describeCertificateError, readTlsFacts } from './tls-facts.ts';

export interface TlsSetup {
  secureContext: SecureContext;
  /** SNI and the name the certificate must match; undefined for an IP literal (matched as IP). */
  servername: string | undefined;
  verify: boolean;
}

export interface Exchange {
  /** Host name or IP literal, without brackets. */
  host: string;
  port: number;
  tls: TlsSetup | undefined;
  request: Buffer;
  isHeadRequest: boolean;
  plan: (head: ResponseHead) => BodyPlan;
}

export interface ExchangeResult {
  head: ResponseHead | undefined;
  body: Buffer;
  bodyComplete: boolean;
  error: string | undefined;
  phases: ProbePhases;
  tls: TlsFacts | undefined;
}

/**
 * One request and its response over a fresh connection, timed per phase as blackbox_exporter
 * does: resolve, connect, TLS, processing (request written to first byte) and transfer. The
 * socket is destroyed as soon as the reader wants no more bytes, so a server streaming without
 * end costs one bounded read.
 */
export function exchange(
  call: Exchange,
  ctx: ProbeContext,
  probeStartedAt: number,
): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const phases: ProbePhases = {};
    const reader = new ResponseReader(call.isHeadRequest, call.plan);
    let tls: TlsFacts | undefined;
    let socket: Socket | undefined;
    let peer = formatPeer(call.host, call.port);
    let doing = `resolving ${call.host}`;
    let mark = startedAt;
    let settled = false;

    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      ctx.offAbort(onAbort);
      socket?.destroy();
      if (phases.processingMs !== undefined) phases.transferMs = performance.now() - mark;
      resolve({
        head: reader.head,
        body: reader.body(),
        bodyComplete: reader.complete,
        error: error ?? reader.error,
        phases,
        tls,
      });
    };
    const onAbort = (): void => finish(abortMessage(ctx, performance.now() - startedAt, doing));
    if (ctx.aborted) {
      onAbort();
      return;
    }
    ctx.onAbort(onAbort);

    const send = (): void => {
      socket?.write(call.request);
      mark = performance.now();
      doing = 'waiting for the first byte';
    };
    const onConnect = (): void => {
      const now = performance.now();
      phases.connectMs = now - mark;
      mark = now;
      if (call.tls === undefined) send();
      else doing = `in the TLS handshake with ${peer}`;
    };
    const onSecure = (): void => {
      const now = performance.now();
      phases.tlsMs = now - mark;
      mark = now;
      const secure = socket as TLSSocket;
      tls = readTlsFacts(secure, probeStartedAt);
      // Verification is done here rather than by rejectUnauthorized so a rejected certificate
      // still reports its expiry; nothing is written to an unverified peer.
      if (call.tls?.verify && !secure.authorized) {
        const code = String(secure.authorizationError);
        finish(describeCertificateError(code, peer, call.tls.servername ?? call.host));
        return;
      }
      send();
    };
    const onData = (chunk: Buffer): void => {
      if (phases.processingMs === undefined) {
        const now = performance.now();
        phases.processingMs = now - mark;
        mark = now;
        doing = 'reading the response';
      }
      reader.push(chunk);
      if (reader.done) finish();
    };
    const onEnd = (): void => {
      reader.end();
      finish();
    };

    resolveAddress(
      call.host,
      ({ address }) => {
        if (settled) return;
        const now = performance.now();
        phases.resolveMs = now - startedAt;
        mark = now;
        peer = formatPeer(address, call.port);
        doing = `connecting to ${peer}`;
        socket =
          call.tls === undefined
            ? connectTcp({ host: address, port: call.port })
            : connectTls({
                host: address,
                port: call.port,
                servername: call.tls.servername,
                secureContext: call.tls.secureContext,
                rejectUnauthorized: false,
                ALPNProtocols: ['http/1.1'],
              });
        socket.on('connect', onConnect);
        if (call.tls !== undefined) socket.on('secureConnect', onSecure);
        socket.on('data', onData);
        socket.on('end', onEnd);
        socket.on('error', (error) => finish(describeSocketError(error, peer, doing)));
        socket.on('close', () => finish(`connection to ${peer} closed while ${doing}`));
      },
      finish,
    );
  });
}
