import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  makeServingCertificates,
  type ServingCertificates,
} from '../../../src/kubernetes/simulator/certificates.ts';
import { TYPES } from '../../../src/kubernetes/simulator/cluster-context.ts';
import { deploymentObject } from '../../../src/kubernetes/simulator/scenario-run.ts';
import {
  type ClusterOptions,
  SimulatedCluster,
} from '../../../src/kubernetes/simulator/simulated-cluster.ts';

/** Where the real kubectl binaries are: the Google Cloud SDK's, beside /usr/bin/kubectl. */
export const KUBECTL_DIR = process.env.KUBECTL_DIR ?? '/usr/lib/google-cloud-sdk/bin';
const ALL_MINORS = ['27', '28', '29', '30', '31', '32', '33'];
/** The versions to run: all, or those KUBECTL_MINORS names (`KUBECTL_MINORS=27,33`) while working. */
export const MINORS: readonly string[] = process.env.KUBECTL_MINORS?.split(',') ?? ALL_MINORS;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Simulation {
  cluster: SimulatedCluster;
  minor: string;
  /** Runs the real kubectl of this version against the cluster (admin unless a token is given). */
  kubectl(args: string[], options?: { token?: string; timeoutMs?: number }): Promise<KubectlResult>;
}

let certificates: Promise<ServingCertificates> | undefined;
/** One CA and serving certificate per test process: openssl takes its time on a busy machine. */
export function sharedCertificates(): Promise<ServingCertificates> {
  certificates ??= makeServingCertificates();
  return certificates;
}

/** Timings short enough for a suite, long enough that kubectl sees each step. */
export const FAST: ClusterOptions['timing'] = {
  startMs: 100,
  readyAfterMs: 300,
  backoffMs: 500,
  terminationMs: 300,
};

/** A fresh simulated cluster for one kubectl version, stopped (and its files removed) after the test. */
export async function simulate(
  t: TestContext,
  minor: string,
  options: ClusterOptions = {},
): Promise<Simulation> {
  const cluster = await SimulatedCluster.start({
    certificates: await sharedCertificates(),
    minorVersion: minor,
    namespaces: ['shop'],
    timing: FAST,
    ...options,
  });
  const dir = await mkdtemp(join(tmpdir(), `mend-kubectl-${minor}-`));
  t.after(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const configs = new Map<string, string>();
  const kubeconfigFor = async (token: string) => {
    let path = configs.get(token);
    if (!path) {
      path = join(dir, `kubeconfig-${configs.size}`);
      await cluster.writeKubeconfig(path, { token, namespace: 'shop' });
      configs.set(token, path);
    }
    return path;
  };
  const binary = join(KUBECTL_DIR, `kubectl.1.${minor}`);
  return {
    cluster,
    minor,
    kubectl: async (args, opts = {}) => {
      const kubeconfig = await kubeconfigFor(opts.token ?? cluster.adminToken);
      return new Promise((resolve) => {
        execFile(
          binary,
          ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
          {
            timeout: opts.timeoutMs ?? 90_000,
            env: { PATH: process.env.PATH ?? '', HOME: dir, TZ: 'UTC' },
          },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });
    },
  };
}

/**
 * One test per kubectl version, four at a time: a kubectl run mostly waits on the simulated
 * control plane (about 0.2 s of CPU per second of wall time), so four keep two cores busy. A version whose binary is missing is skipped, loudly, with where it was looked for.
 */
export function forEachKubectl(
  title: string,
  body: (t: TestContext, minor: string) => Promise<void>,
): void {
  test(title, { concurrency: 4 }, async (t) => {
    await Promise.all(
      MINORS.map((minor) =>
        t.test(`kubectl 1.${minor}`, async (st) => {
          const binary = join(KUBECTL_DIR, `kubectl.1.${minor}`);
          if (!existsSync(binary)) {
            st.skip(
              `${binary} not found (set KUBECTL_DIR to the folder of the kubectl.1.NN binaries)`,
            );
            return;
          }
          await body(st, minor);
        }),
      ),
    );
  });
}

/** Waits for a condition of the cluster with a generous deadline (the machine may be loaded). */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A Deployment `name` in namespace shop, as a scenario would declare it. */
export function deployment(
  name: string,
  options: { replicas?: number; image?: string; progressDeadlineSeconds?: number } = {},
) {
  return deploymentObject({
    name,
    namespace: 'shop',
    replicas: options.replicas ?? 2,
    image: options.image ?? `shop/${name}:1.0`,
    ...(options.progressDeadlineSeconds
      ? { progressDeadlineSeconds: options.progressDeadlineSeconds }
      : {}),
  });
}

/** Waits until a Deployment of the cluster reports all its replicas available and updated. */
export function rolledOut(cluster: SimulatedCluster, name: string, timeoutMs = 30_000) {
  return waitFor(
    `deployment ${name} rolled out`,
    () => {
      const d = cluster.store.get(TYPES.deployment, 'shop', name);
      const status = (d?.status ?? {}) as Record<string, number>;
      const replicas = Number((d?.spec as { replicas?: number } | undefined)?.replicas ?? 0);
      return (
        d !== undefined &&
        d.metadata.generation === status.observedGeneration &&
        status.availableReplicas === replicas &&
        status.updatedReplicas === replicas &&
        status.replicas === replicas &&
        d
      );
    },
    timeoutMs,
  );
}

/** Lines of kubectl's table output, each split into its columns. */
export function rows(stdout: string): string[][] {
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}
