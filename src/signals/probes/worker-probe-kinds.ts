import type { CheckSpec } from '../../config/config.ts';
import type { PreparingKind } from '../prepare-check-of-kind.ts';

/**
 * How a probe worker loads the kinds its checks use: each on first need, without the registry.
 * The registry (registry.ts) holds every kind with its config schema; loading it costs a worker
 * zod, undici and re2js, about 16 MiB of a worker's resident memory (measured: two workers that
 * load the registry 56 MiB, two that load only the http kind 25 MiB, two empty ones 16 MiB).
 * A worker of HTTP checks loads the http kind's prepare and nothing else. Every kind that runs
 * in a worker is here; worker-probe-kinds.test.ts holds this table to the registry's.
 */
export const workerProbeKinds: Readonly<Record<string, () => Promise<PreparingKind>>> = {
  http: async () => ({ prepare: (await import('./http-check.ts')).prepareHttpProbe }),
  tcp: async () => (await import('./tcp.ts')).tcpProbe,
  exec: async () => (await import('./exec.ts')).execProbe,
  grpc: async () => (await import('./grpc.ts')).grpcProbe,
  log: async () => (await import('./log.ts')).logProbe,
  prometheus: async () => (await import('./prometheus.ts')).prometheusProbe,
};

/** The kind of a check that runs in a worker, and its spec; undefined when no worker kind fits. */
export function workerProbeOf(
  check: CheckSpec,
  table: Readonly<Record<string, unknown>> = workerProbeKinds,
): { kind: string; spec: unknown } | undefined {
  for (const kind of Object.keys(table)) {
    const spec = check[kind];
    if (spec !== undefined) return { kind, spec };
  }
  return undefined;
}

/** Load the kinds these checks use (each module once, by the module cache). */
export async function loadWorkerProbeKinds(
  checks: readonly CheckSpec[],
  table: Readonly<Record<string, () => Promise<PreparingKind>>> = workerProbeKinds,
): Promise<Map<string, PreparingKind>> {
  const names = new Set<string>();
  for (const check of checks) {
    const probe = workerProbeOf(check, table);
    if (probe) names.add(probe.kind);
  }
  const loaded = await Promise.all(
    [...names].map(async (name) => [name, await load(name, table)] as const),
  );
  const kinds = new Map<string, PreparingKind>();
  for (const [name, kind] of loaded) if (kind) kinds.set(name, kind);
  return kinds;
}

/**
 * A kind whose module does not load fails its checks with the reason, as a probe that cannot be
 * prepared does (prepare-check-of-kind.ts), instead of stopping the worker and every other check.
 */
async function load(
  name: string,
  table: Readonly<Record<string, () => Promise<PreparingKind>>>,
): Promise<PreparingKind | undefined> {
  try {
    return await table[name]?.();
  } catch (err) {
    const reason = `the ${name} probe kind did not load in the probe worker: ${err instanceof Error ? err.message : String(err)}`;
    return {
      prepare() {
        throw new Error(reason);
      },
    };
  }
}

/** For a check no worker kind fits: one of a kind that runs in the main thread (split-runner.ts). */
export const notAWorkerKind: PreparingKind = {
  prepare() {
    throw new Error('its kind runs in the main thread, not in a probe worker');
  },
};
