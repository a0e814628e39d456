import { fileURLToPath } from 'node:url';
import { loadIncidentRecords } from '../incidents/load.ts';
import { formatTable } from '../support/text-table.ts';
import { type CrashLoopHeal, crashLoopHeals, median } from './crash-loop-figures.ts';
import { startKubernetesDemoSystem } from './kubernetes-system.ts';
import { demoSummary } from './summary.ts';
import type { DemoWorld } from './world.ts';

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

/** mend's config for the Kubernetes demo: the shop's Services and policies, four runbooks. */
const CONFIG = [
  example('kubernetes/demo/'),
  example('runbooks/kubernetes-rollout-restart.yaml'),
  example('runbooks/kubernetes-rollout-undo.yaml'),
  example('runbooks/kubernetes-drain-node.yaml'),
  example('runbooks/kubernetes-delete-pod.yaml'),
];

/** Milliseconds under a second, else seconds with two decimals (bench/kubernetes-demo reads them). */
const seconds = (ms: number | null) =>
  ms === null ? '-' : ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;

/**
 * The Kubernetes demo: a simulated cluster with the shop, mend acting as its ServiceAccount
 * (through the KUBECONFIG it is given), the faults on the cluster's timeline, and a summary that
 * adds how fast each crash loop was healed.
 */
export async function startKubernetesWorld(
  say: (line: string) => void,
  base: string,
): Promise<DemoWorld> {
  const system = await startKubernetesDemoSystem(say, base);
  // mend's Kubernetes client reads KUBECONFIG when its first step or watch starts.
  process.env.KUBECONFIG = system.mendKubeconfig;
  return {
    config: CONFIG,
    notes: [
      'watch the cluster with your own kubectl (as its admin; mend acts as system:serviceaccount:mend:mend):',
      `export KUBECONFIG=${system.kubeconfig}`,
      'kubectl get deploy,pods,nodes,pdb -n shop -o wide',
      `every request the API server answers (mend's included): ${system.requestLog}`,
    ],
    startFaults: () => {
      system.startFaults();
      return () => {};
    },
    summary: async (store, since) => {
      const incidents = await store.listIncidents({ since });
      const records = await loadIncidentRecords(store, incidents, { journal: false });
      const rows = crashLoopHeals(records, system.crashLoops);
      return `${await demoSummary(store, since)}\n${crashLoopTable(rows)}`;
    },
    stop: () => system.stop(),
  };
}

/** The crash loops healed, and the medians the issue asks for (bench/kubernetes-demo reads them). */
function crashLoopTable(rows: CrashLoopHeal[]): string {
  if (rows.length === 0) return 'no crash loop was healed\n';
  const table = formatTable(
    [
      'INCIDENT',
      'POD',
      'CRASHLOOPBACKOFF',
      'TO SIGNAL',
      'TO HEAL DECISION',
      'TO VERIFIED RECOVERY',
    ],
    rows.map((r) => [
      r.incident,
      r.pod,
      new Date(r.crashLoopAt).toISOString().slice(11, 23),
      seconds(r.toSignalMs),
      seconds(r.toDecisionMs),
      seconds(r.toRecoveryMs),
    ]),
  );
  const recovered = rows.flatMap((r) => (r.toRecoveryMs === null ? [] : [r.toRecoveryMs]));
  const of = (pick: (r: CrashLoopHeal) => number) => seconds(median(rows.map(pick)));
  return `crash loops, from the pod's CrashLoopBackOff in the API to the watch's signal and to mend's heal decision (the policy's for: included), and from that decision to verified recovery:
${table}median of ${rows.length}: ${of((r) => r.toSignalMs)} to the signal, ${of((r) => r.toDecisionMs)} to the heal decision; median of ${recovered.length}: ${seconds(median(recovered))} from it to verified recovery
`;
}
