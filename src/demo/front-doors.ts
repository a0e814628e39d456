import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TYPES } from '../kubernetes/simulator/cluster-context.ts';
import type { SimulatedCluster } from '../kubernetes/simulator/simulated-cluster.ts';

/**
 * Whether a Deployment is whole: every replica of the wanted count updated and available, and
 * nothing old left over. Read from the simulator's state: its pods serve nothing.
 */
export function deploymentServes(
  cluster: SimulatedCluster,
  namespace: string,
  name: string,
): boolean {
  const d = cluster.store.get(TYPES.deployment, namespace, name);
  const status = (d?.status ?? {}) as Record<string, number>;
  const replicas = Number((d?.spec as { replicas?: number } | undefined)?.replicas ?? 0);
  return (
    d !== undefined &&
    replicas > 0 &&
    status.availableReplicas === replicas &&
    status.updatedReplicas === replicas &&
    status.replicas === replicas
  );
}

export interface FrontDoors {
  /** `http://127.0.0.1:PORT/NAMESPACE/NAME`: what mend's http check of a workload probes. */
  url(namespace: string, name: string): string;
  close(): Promise<void>;
}

/**
 * The simulated Deployments' front door, for mend's http checks: GET /NAMESPACE/NAME[/...]
 * answers 200 while the Deployment is whole (deploymentServes), 503 otherwise, 404 for a path
 * that names none. It stands in for the Service and load balancer in front of the pods, which
 * serve nothing. Port 0: any free port.
 */
export async function startFrontDoors(cluster: SimulatedCluster, port = 0): Promise<FrontDoors> {
  const server: Server = createServer((req, res) => {
    const match = /^\/([a-z0-9-]+)\/([a-z0-9.-]+)(?:\/.*)?$/.exec(req.url ?? '');
    const known =
      match !== null && cluster.store.get(TYPES.deployment, match[1], match[2]!) !== undefined;
    const up = known && deploymentServes(cluster, match[1]!, match[2]!);
    res.writeHead(known ? (up ? 200 : 503) : 404, { 'content-type': 'text/plain' });
    res.end(known ? (up ? 'ok\n' : 'unavailable\n') : `no deployment at ${req.url}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: (namespace, name) => `http://127.0.0.1:${bound}/${namespace}/${name}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
