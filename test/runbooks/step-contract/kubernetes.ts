import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  makeServingCertificates,
  type ServingCertificates,
} from '../../../src/kubernetes/simulator/certificates.ts';
import { TYPES } from '../../../src/kubernetes/simulator/cluster-context.ts';
import { renderKubeconfig } from '../../../src/kubernetes/simulator/kubeconfig.ts';
import { field } from '../../../src/kubernetes/simulator/objects.ts';
import { SimulatedCluster } from '../../../src/kubernetes/simulator/simulated-cluster.ts';
import { deployment, FAST, rolledOut, waitFor } from '../../kubernetes/helpers/kubectl.ts';
import type { MakeCase, StepFixture } from '../step-contract.ts';

let certificates: Promise<ServingCertificates> | undefined;
let cases = 0;

/**
 * A fresh simulated cluster (shop/web rolled out, two nodes) for one case, reached through a
 * kubeconfig context of its own: the client is made once per context, so each case names its
 * context in the spec and points KUBECONFIG at its file before the step first runs.
 */
function onCluster(
  spec: (c: {
    context: string;
    cluster: SimulatedCluster;
  }) => Promise<Record<string, unknown>> | Record<string, unknown>,
  setUp?: (cluster: SimulatedCluster) => Promise<void> | void,
): MakeCase {
  return async () => {
    certificates ??= makeServingCertificates();
    const cluster = await SimulatedCluster.start({
      certificates: await certificates,
      namespaces: ['shop'],
      timing: FAST,
      behaviours: [
        {
          image: 'shop/web:broken',
          behaviour: { kind: 'crash', runForMs: 200, exitCode: 1, reason: 'Error' },
        },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 'mend-kube-contract-'));
    const context = `contract-${++cases}`;
    const file = join(dir, 'kubeconfig');
    await writeFile(
      file,
      renderKubeconfig({
        server: cluster.url,
        token: cluster.adminToken,
        user: 'admin',
        caPem: cluster.caPem!,
        contextName: context,
      }),
      { mode: 0o600 },
    );
    process.env.KUBECONFIG = file;
    cluster.apply(deployment('web'));
    await rolledOut(cluster, 'web');
    await setUp?.(cluster);
    return {
      spec: await spec({ context, cluster }),
      close: async () => {
        await cluster.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

const web = (extra: Record<string, unknown> = {}) =>
  onCluster(({ context }) => ({ context, namespace: 'shop', deployment: 'web', ...extra }));
const missing = (extra: Record<string, unknown> = {}) =>
  onCluster(({ context }) => ({ context, namespace: 'shop', deployment: 'nope', ...extra }));
/** Every answer held back far past the contract's short timeout. */
const held = (
  spec: (c: { context: string; cluster: SimulatedCluster }) => Record<string, unknown>,
) =>
  onCluster(spec, (cluster) => {
    cluster.faults.add({ match: {}, action: { delayMs: 20_000 } });
  });
const heldWeb = (extra: Record<string, unknown> = {}) =>
  held(({ context }) => ({ context, namespace: 'shop', deployment: 'web', ...extra }));
const refusedDeployment = { namespace: 'shop', deployment: '{{service.labels.team}}' };
const firstPod = (cluster: SimulatedCluster) =>
  cluster.store.list(TYPES.pod, 'shop')[0]!.metadata.name;

function deploymentFixture(extra: Record<string, unknown> = {}): StepFixture {
  return {
    passing: web(extra),
    failing: [missing(extra)],
    slow: heldWeb(extra),
    refused: { ...refusedDeployment, ...extra },
  };
}

export const rolloutRestartFixture = deploymentFixture();
export const rolloutStatusFixture: StepFixture = {
  ...deploymentFixture(),
  failing: [
    missing(),
    // A rollout that exceeds its progress deadline.
    onCluster(
      ({ context }) => ({ context, namespace: 'shop', deployment: 'web' }),
      async (cluster) => {
        const d = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
        (d.spec as Record<string, unknown>).progressDeadlineSeconds = 1;
        (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
          .containers[0]!.image = 'shop/web:broken';
        cluster.apply(d);
      },
    ),
  ],
};
export const rolloutUndoFixture: StepFixture = {
  passing: onCluster(
    ({ context }) => ({ context, namespace: 'shop', deployment: 'web' }),
    async (cluster) => {
      const d = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
      (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[0]!.image = 'shop/web:2.0';
      cluster.apply(d);
      await rolledOut(cluster, 'web');
    },
  ),
  // One revision only: nothing to go back to.
  failing: [missing(), web()],
  slow: heldWeb(),
  refused: refusedDeployment,
};
export const scaleFixture = deploymentFixture({ replicas: 3 });
export const deletePodFixture: StepFixture = {
  passing: onCluster(({ context, cluster }) => ({
    context,
    namespace: 'shop',
    pod: firstPod(cluster),
  })),
  failing: [
    onCluster(
      ({ context }) => ({ context, namespace: 'no-such-namespace-x', pod: 'x' }),
      (c) => {
        c.faults.add({
          match: { verb: 'get', resource: 'pods' },
          action: { respond: { code: 500 } },
        });
      },
    ),
  ],
  slow: held(({ context, cluster }) => ({ context, namespace: 'shop', pod: firstPod(cluster) })),
  refused: { namespace: 'shop', pod: '{{service.labels.team}}' },
};
function nodeFixture(extra: Record<string, unknown> = {}): StepFixture {
  return {
    passing: onCluster(({ context }) => ({ context, node: 'node-2', ...extra })),
    failing: [onCluster(({ context }) => ({ context, node: 'node-9', ...extra }))],
    slow: held(({ context }) => ({ context, node: 'node-2', ...extra })),
    refused: { node: '{{service.labels.team}}', ...extra },
  };
}
export const cordonFixture = nodeFixture();
export const uncordonFixture: StepFixture = {
  ...nodeFixture(),
  passing: onCluster(
    ({ context }) => ({ context, node: 'node-2' }),
    (cluster) => {
      const node = cluster.store.get(TYPES.node, undefined, 'node-2')!;
      (node.spec as Record<string, unknown>).unschedulable = true;
      cluster.apply(node);
    },
  ),
};
export const drainFixture: StepFixture = {
  ...nodeFixture({ retryIntervalSeconds: 1 }),
  passing: onCluster(
    ({ context }) => ({ context, node: 'node-2' }),
    async (cluster) => {
      await waitFor('a pod on node-2', () =>
        cluster.store
          .list(TYPES.pod, 'shop')
          .some((p) => field(p, 'spec', 'nodeName') === 'node-2'),
      );
    },
  ),
};
export const podLogsFixture = deploymentFixture({ tailLines: 5 });
export const kubernetesEventsFixture = deploymentFixture();
export const kubernetesDescribeFixture = deploymentFixture();
