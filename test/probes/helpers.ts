import { createServer, type Server } from 'node:net';
import type { ProbeResult } from '../../src/signals/observation.ts';
import type { Probe, ProbeContext } from '../../src/signals/probes/probe-kind.ts';
import { ProbeRunContext } from '../../src/signals/probes/probe-run-context.ts';

/** A context like the scheduler's: the signal fires at the timeout. */
export function probeContext(timeoutMs = 2000, maxOutputBytes = 64 * 1024): ProbeContext {
  return new ProbeRunContext(timeoutMs, maxOutputBytes, AbortSignal.timeout(timeoutMs));
}

/** Runs a probe and stamps its duration, as the scheduler does. */
export async function runProbe(
  probe: Probe,
  ctx: ProbeContext = probeContext(),
): Promise<ProbeResult & { durationMs: number }> {
  const startedAt = performance.now();
  const result = await probe(ctx);
  return { ...result, durationMs: performance.now() - startedAt };
}

/** Starts listening on a free loopback port. */
export function listen<S extends Server>(server: S, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolve(address.port);
    });
  });
}

/** A port that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
