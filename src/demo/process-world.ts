import { fileURLToPath } from 'node:url';
import { demoFaults, scheduleFaults } from './faults.ts';
import { demoSummary } from './summary.ts';
import { PORTS, startDemoSystem } from './system.ts';
import type { DemoWorld } from './world.ts';

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

/** The demo's config: its services and policies, the restart runbook and the pager notifier. */
const CONFIG = [
  example('demo/'),
  example('runbooks/restart.yaml'),
  example('notifiers/notifiers.yaml'),
];

/** The process demo: three services as child processes, faults on a repeating schedule. */
export async function startProcessWorld(say: (line: string) => void): Promise<DemoWorld> {
  const system = await startDemoSystem(say);
  return {
    config: CONFIG,
    notes: [],
    startFaults: () => scheduleFaults(demoFaults(system.supervisor, PORTS), say),
    summary: (store, since) => demoSummary(store, since),
    stop: () => system.stop(),
  };
}
