import { startFrontDoors } from '../../../src/demo/front-doors.ts';
import type { SimulatedCluster } from '../../../src/kubernetes/simulator/simulated-cluster.ts';

/**
 * What users of shop/NAME would see, for mend's http check: 200 while every replica is updated
 * and available, 503 otherwise (the demo's front doors, src/demo/front-doors.ts).
 */
export async function startFrontDoor(
  cluster: SimulatedCluster,
  name: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const doors = await startFrontDoors(cluster);
  return { url: `${doors.url('shop', name)}/healthz`, close: () => doors.close() };
}
