/**
 * How a simulated container behaves once the kubelet starts it. Chosen per container by the
 * first rule that matches its image (or its pod's labels); `ok` when none does.
 */
export type ContainerBehaviour =
  /** Starts, becomes Ready after `readyAfterMs`, and keeps running. */
  | { kind: 'ok' }
  /** Runs for `runForMs`, exits (1, or 137 as OOMKilled), and is restarted with back-off. */
  | { kind: 'crash'; runForMs: number; exitCode: number; reason: 'Error' | 'OOMKilled' }
  /** The image cannot be pulled: ErrImagePull, then ImagePullBackOff, for ever. */
  | { kind: 'image-pull'; message: string }
  /** Runs, but its readiness probe never passes. */
  | { kind: 'not-ready' };

export interface BehaviourTiming {
  /** From scheduling to the container running (ContainerCreating meanwhile). */
  startMs: number;
  /** From running to Ready. */
  readyAfterMs: number;
  /** The first crash back-off; doubled per restart, up to 30 times it. */
  backoffMs: number;
  /** From a delete (or eviction) to the pod gone. */
  terminationMs: number;
}

export interface BehaviourRule {
  /** The container image, exactly, or a prefix ending in `*`. */
  image?: string;
  /** Labels the pod must carry. */
  podLabels?: Record<string, string>;
  behaviour: ContainerBehaviour;
  /** Log lines each instance writes when it starts (the default says what it is). */
  logs?: string[];
  /** Overrides of the cluster's timings for these containers. */
  timing?: Partial<BehaviourTiming>;
}

export interface ResolvedBehaviour {
  behaviour: ContainerBehaviour;
  logs?: string[];
  timing: BehaviourTiming;
}

export const DEFAULT_TIMING: BehaviourTiming = {
  startMs: 100,
  readyAfterMs: 300,
  backoffMs: 1000,
  terminationMs: 300,
};

function imageMatches(pattern: string, image: string): boolean {
  return pattern.endsWith('*') ? image.startsWith(pattern.slice(0, -1)) : pattern === image;
}

/** The behaviour of one container of a pod under `rules` (first match wins). */
export function resolveBehaviour(
  rules: readonly BehaviourRule[],
  image: string,
  podLabels: Record<string, string>,
  timing: BehaviourTiming,
): ResolvedBehaviour {
  const rule = rules.find(
    (r) =>
      (r.image === undefined || imageMatches(r.image, image)) &&
      Object.entries(r.podLabels ?? {}).every(([k, v]) => podLabels[k] === v),
  );
  return {
    behaviour: rule?.behaviour ?? { kind: 'ok' },
    ...(rule?.logs ? { logs: rule.logs } : {}),
    timing: { ...timing, ...(rule?.timing ?? {}) },
  };
}
