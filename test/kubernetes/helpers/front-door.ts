import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TYPES } from '../../../src/kubernetes/simulator/cluster-context.ts';
import type { SimulatedCluster } from '../../../src/kubernetes/simulator/simulated-cluster.ts';

/**
 * What users of a Deployment would see, for mend's http check: 200 while every replica of
 * shop/NAME is updated and available, 503 otherwise. The simulated pods serve nothing, so this
 * stands in for the Service in front of them, answering from the simulator's own state.
 */
export async function startFrontDoor(
  cluster: SimulatedCluster,
  name: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    const d = cluster.store.get(TYPES.deployment, 'shop', name);
    const status = (d?.status ?? {}) as Record<string, number>;
    const replicas = Number((d?.spec as { replicas?: number } | undefined)?.replicas ?? 0);
    const up =
      d !== undefined &&
      replicas > 0 &&
      status.availableReplicas === replicas &&
      status.updatedReplicas === replicas &&
      status.replicas === replicas;
    res.writeHead(up ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(up ? 'ok' : 'unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
