import { createWriteStream } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { formatErrors } from '../config/config-error.ts';
import { loadScenario } from '../kubernetes/simulator/scenario-load.ts';
import { type RunningScenario, startScenario } from '../kubernetes/simulator/scenario-run.ts';
import type { ScenarioStep } from '../kubernetes/simulator/scenario-schema.ts';
import { type CrashLoop, recordCrashLoops } from './crash-loops.ts';
import { deploymentServes, type FrontDoors, startFrontDoors } from './front-doors.ts';
import { startPager } from './pager.ts';

/** The Kubernetes demo's cluster, with its fault schedule on the cluster's timeline. */
export const DEMO_SCENARIO = fileURLToPath(
  new URL('../../examples/kubernetes/simulator/demo.yaml', import.meta.url),
);

/** Ports the demo's config names (examples/kubernetes/demo/): beside the process demo's. */
export const KUBERNETES_PORTS = { frontDoors: 17811, pager: 17819 };

/** The user mend acts as: the scenario's ServiceAccount, with the RBAC it grants. */
export const MEND_USER = 'system:serviceaccount:mend:mend';

export interface KubernetesDemoSystem {
  running: RunningScenario;
  /** The admin's kubeconfig, for the person watching with kubectl. */
  kubeconfig: string;
  /** The ServiceAccount's kubeconfig, which mend uses. */
  mendKubeconfig: string;
  /** Every request the API server answered, one JSON line each, as it answers them. */
  requestLog: string;
  /** Every pod that entered CrashLoopBackOff, when. */
  crashLoops: CrashLoop[];
  /** Starts the fault schedule (the scenario's timeline), from now. */
  startFaults(): void;
  stop(): Promise<void>;
}

const describeStep = (step: ScenarioStep) =>
  step.describe ??
  Object.keys(step)
    .filter((k) => k !== 'at')
    .join(', ');

/**
 * The small shop the Kubernetes demo runs on loopback: a simulated cluster (web, api and db
 * Deployments on three nodes, a disruption budget, mend's ServiceAccount and its RBAC), its
 * kubeconfigs written at `BASE.kubeconfig` (the admin's) and `BASE.mend.kubeconfig` (mend's),
 * its request log at `BASE.requests.jsonl`, the front doors mend's checks probe, and the pager
 * that prints what mend sends.
 */
export async function startKubernetesDemoSystem(
  say: (line: string) => void,
  base: string,
  scenarioFile = DEMO_SCENARIO,
): Promise<KubernetesDemoSystem> {
  const loaded = await loadScenario(scenarioFile);
  if ('errors' in loaded) throw new Error(formatErrors(loaded.errors));
  const running = await startScenario(loaded.scenario, {
    holdTimeline: true,
    onStep: (step, outcome) => {
      if (outcome.error) say(`fault injection failed: ${outcome.error.message}`);
      else
        say(`FAULT: ${describeStep(step)}${outcome.pods ? ` (${outcome.pods.join(', ')})` : ''}`);
    },
  });
  const recorder = recordCrashLoops(running.cluster);
  const servers: Server[] = [];
  let doors: FrontDoors | undefined;
  let requests: { close(): Promise<void> } | undefined;
  const stop = async () => {
    recorder.stop();
    await doors?.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await running.stop();
    await requests?.close();
  };
  const files = {
    kubeconfig: `${base}.kubeconfig`,
    mendKubeconfig: `${base}.mend.kubeconfig`,
    requestLog: `${base}.requests.jsonl`,
  };
  try {
    requests = await logRequests(running, files.requestLog);
    await writeKubeconfigs(running, files);
    doors = await startFrontDoors(running.cluster, KUBERNETES_PORTS.frontDoors);
    servers.push(await startPager(say, KUBERNETES_PORTS.pager));
    // mend starts on a shop that is up, as a person would find it: its first incidents are the faults'.
    await rolledOut(running, loaded.scenario.spec.deployments);
  } catch (err) {
    await stop();
    throw new Error(
      `cannot start the Kubernetes demo: ${(err as Error).message} (it uses 127.0.0.1 ports ${KUBERNETES_PORTS.frontDoors} and ${KUBERNETES_PORTS.pager})`,
    );
  }
  const deployments = loaded.scenario.spec.deployments
    .map((d) => `${d.name} (${d.replicas})`)
    .join(', ');
  say(
    `simulated cluster "${loaded.scenario.metadata.name}" at ${running.cluster.url}: ${deployments} in namespace shop on ${loaded.scenario.spec.nodes.join(', ')}`,
  );
  return {
    running,
    ...files,
    crashLoops: recorder.crashLoops,
    startFaults: () => running.startTimeline(),
    stop,
  };
}

/** The admin's kubeconfig (for the person watching) and the ServiceAccount's (for mend). */
async function writeKubeconfigs(
  running: RunningScenario,
  files: { kubeconfig: string; mendKubeconfig: string },
): Promise<void> {
  const token = running.tokens.get(MEND_USER);
  if (token === undefined) throw new Error(`the scenario has no user ${MEND_USER}`);
  await running.cluster.writeKubeconfig(files.kubeconfig, { namespace: 'shop' });
  await running.cluster.writeKubeconfig(files.mendKubeconfig, {
    namespace: 'shop',
    token,
    user: MEND_USER,
  });
}

/**
 * Every request the API server answers, one JSON line each as it answers (the last run's file
 * replaced): what mend sent, for the curious and for the demo's test.
 */
function logRequests(running: RunningScenario, path: string): Promise<{ close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags: 'w', mode: 0o600 });
    stream.once('error', reject);
    stream.once('open', () => {
      const unsubscribe = running.cluster.requests.onRequest((entry) => {
        stream.write(`${JSON.stringify(entry)}\n`);
      });
      resolve({
        close: () =>
          new Promise((done) => {
            unsubscribe();
            stream.end(done);
          }),
      });
    });
  });
}

const ROLL_OUT_MS = 30_000;

/** Resolves once every Deployment is whole; rejects after ROLL_OUT_MS naming those that are not. */
async function rolledOut(
  running: RunningScenario,
  deployments: readonly { namespace: string; name: string }[],
): Promise<void> {
  const deadline = Date.now() + ROLL_OUT_MS;
  for (;;) {
    const waiting = deployments.filter(
      (d) => !deploymentServes(running.cluster, d.namespace, d.name),
    );
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the simulated shop did not roll out within ${ROLL_OUT_MS / 1000} s: ${waiting.map((d) => `${d.namespace}/${d.name}`).join(', ')} not available`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
