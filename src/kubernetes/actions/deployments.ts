import { isDeepStrictEqual } from 'node:util';
import { FIELD_MANAGER, type KubeClient, PATCH } from '../client/kube-client.ts';
import { type HealMark, isMarked, MARK, markAnnotations } from './marks.ts';
import {
  ActionFailed,
  type ActionReport,
  type KubeObject,
  type ObjectRef,
  patchMark,
  paths,
  REVISION,
  replicaSetsOf,
  revisionOf,
} from './objects.ts';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

const getDeployment = (client: KubeClient, ref: ObjectRef, signal: AbortSignal) =>
  client.json<KubeObject>({ method: 'GET', path: paths.deployment(ref), signal });

type DeploymentSpec = {
  paused?: boolean;
  replicas?: number;
  template?: {
    metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  };
};
const specOf = (d: KubeObject) => (d.spec ?? {}) as DeploymentSpec;

function already(ref: ObjectRef, mark: HealMark, what: string): ActionReport {
  return {
    changed: false,
    message: `deployment.apps/${ref.name} was already ${what} by this step (${mark.heal} ${mark.step}): not done again`,
    data: { alreadyDone: true },
  };
}

/**
 * `kubectl rollout restart`: a strategic merge patch of the pod template's restartedAt
 * annotation (RFC 3339, one-second resolution, as kubectl), with mend's mark on the Deployment
 * in the same patch. A second restart in the same second would be an empty change to the
 * template, so then the value carries milliseconds.
 */
export async function restartDeployment(
  client: KubeClient,
  ref: ObjectRef,
  mark: HealMark,
  now: Date,
  signal: AbortSignal,
): Promise<ActionReport> {
  const current = await getDeployment(client, ref, signal);
  if (isMarked(current, mark)) return already(ref, mark, 'restarted');
  if (specOf(current).paused) {
    throw new ActionFailed(
      `can't restart paused deployment ${ref.namespace}/${ref.name} (resume it first)`,
    );
  }
  let at = `${now.toISOString().slice(0, 19)}Z`;
  if (specOf(current).template?.metadata?.annotations?.[RESTARTED_AT] === at)
    at = now.toISOString();
  const body = {
    metadata: { annotations: markAnnotations(mark, at) },
    spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } },
  };
  const after = await client.json<KubeObject>({
    method: 'PATCH',
    path: paths.deployment(ref),
    query: { fieldManager: FIELD_MANAGER },
    body,
    contentType: PATCH.strategic,
    signal,
  });
  return {
    changed: true,
    message: `deployment.apps/${ref.name} restarted (restartedAt ${at}, generation ${after.metadata.generation})`,
    data: { restartedAt: at, generation: after.metadata.generation },
  };
}

/** The annotations `rollout undo` keeps from the Deployment rather than the ReplicaSet. */
const KEEP_FROM_DEPLOYMENT = [
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

/** A pod template without the label the controller adds, to compare like kubectl does. */
function bareTemplate(template: unknown): Record<string, unknown> {
  const copy = structuredClone((template ?? {}) as Record<string, unknown>);
  const metadata = (copy.metadata ?? {}) as {
    labels?: Record<string, string>;
    creationTimestamp?: unknown;
  };
  if (metadata.labels) delete metadata.labels['pod-template-hash'];
  delete metadata.creationTimestamp;
  copy.metadata = metadata;
  return copy;
}

/** A template without the restart annotation: two revisions a restart made are the same pods. */
function withoutRestart(template: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(template);
  const annotations = (copy.metadata as { annotations?: Record<string, string> } | undefined)
    ?.annotations;
  if (annotations) {
    delete annotations[RESTARTED_AT];
    if (Object.keys(annotations).length === 0)
      delete (copy.metadata as { annotations?: unknown }).annotations;
  }
  return copy;
}

/**
 * `kubectl rollout undo` (polymorphichelpers/rollback.go): the ReplicaSets the Deployment
 * controls, by revision annotation; the previous revision (0) or the one asked for; its pod
 * template (without pod-template-hash) and annotations put back with one JSON patch. The mark
 * matters most here: run again after a crash, "the previous revision" would be the bad one.
 * With `skipRestarts`, "previous" passes over revisions that differ from the current one only
 * by a restart: after a ladder's restart rung, kubectl's previous revision is the same bad pods.
 */
export async function undoDeployment(
  client: KubeClient,
  ref: ObjectRef,
  toRevision: number,
  skipRestarts: boolean,
  mark: HealMark,
  now: Date,
  signal: AbortSignal,
): Promise<ActionReport> {
  const current = await getDeployment(client, ref, signal);
  if (isMarked(current, mark)) return already(ref, mark, 'rolled back');
  const own = current.metadata.annotations ?? {};
  // A later heal of the same incident (the undo rung tried again) must not undo the undo: its
  // "previous revision" is the bad one this incident already rolled back from.
  if (
    toRevision === 0 &&
    mark.incident !== undefined &&
    own[MARK.incident] === mark.incident &&
    own[MARK.action]?.startsWith('rollout undo')
  ) {
    return {
      changed: false,
      message: `deployment.apps/${ref.name} was already rolled back in this incident (by ${own[MARK.heal]}): not rolled back again`,
      data: { alreadyDone: true },
    };
  }
  if (specOf(current).paused) {
    throw new ActionFailed(
      `can't roll back paused deployment ${ref.namespace}/${ref.name} (resume it first)`,
    );
  }
  const history = await replicaSetsOf(client, current, signal);
  const revisions = history.map((rs) => revisionOf(rs)).filter((r) => r !== undefined);
  const currentPods = withoutRestart(bareTemplate(specOf(current).template));
  const target =
    toRevision === 0
      ? history
          .filter((rs) => revisionOf(rs) !== undefined)
          .slice(1)
          .find(
            (rs) =>
              !skipRestarts ||
              !isDeepStrictEqual(
                withoutRestart(bareTemplate((rs.spec as { template?: unknown }).template)),
                currentPods,
              ),
          )
      : history.find((rs) => revisionOf(rs) === toRevision);
  if (!target) {
    throw new ActionFailed(
      toRevision === 0
        ? `no previous revision of deployment ${ref.namespace}/${ref.name} to roll back to (revisions: ${revisions.join(', ') || 'none'})`
        : `unable to find revision ${toRevision} of deployment ${ref.namespace}/${ref.name} (revisions: ${revisions.join(', ') || 'none'})`,
    );
  }
  const revision = revisionOf(target)!;
  const template = bareTemplate((target.spec as { template?: unknown }).template);
  if (isDeepStrictEqual(template, bareTemplate(specOf(current).template))) {
    return {
      changed: false,
      message: `skipped rollback of deployment.apps/${ref.name} (current template already matches revision ${revision})`,
      data: { toRevision: revision },
    };
  }
  const annotations: Record<string, string> = {};
  for (const key of KEEP_FROM_DEPLOYMENT) if (own[key] !== undefined) annotations[key] = own[key];
  for (const [key, value] of Object.entries(target.metadata.annotations ?? {})) {
    if (!KEEP_FROM_DEPLOYMENT.includes(key)) annotations[key] = value;
  }
  Object.assign(annotations, markAnnotations(mark, now.toISOString()));
  await client.json({
    method: 'PATCH',
    path: paths.deployment(ref),
    query: { fieldManager: FIELD_MANAGER },
    body: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
    contentType: PATCH.json,
    signal,
  });
  return {
    changed: true,
    message: `deployment.apps/${ref.name} rolled back to revision ${revision}`,
    data: { toRevision: revision, fromRevision: revisions[0] },
  };
}

/**
 * `kubectl scale`: a merge patch of the scale subresource, then the mark on the Deployment
 * (the subresource carries no annotations). Setting a count is idempotent, so a crash between
 * the two only repeats the same count.
 */
export async function scaleDeployment(
  client: KubeClient,
  ref: ObjectRef,
  replicas: number,
  mark: HealMark,
  now: Date,
  signal: AbortSignal,
): Promise<ActionReport> {
  const current = await getDeployment(client, ref, signal);
  const was = specOf(current).replicas;
  if (isMarked(current, mark) && was === replicas)
    return already(ref, mark, `scaled to ${replicas}`);
  await client.json({
    method: 'PATCH',
    path: `${paths.deployment(ref)}/scale`,
    query: { fieldManager: FIELD_MANAGER },
    body: { spec: { replicas } },
    contentType: PATCH.merge,
    signal,
  });
  await patchMark(client, paths.deployment(ref), mark, now, signal);
  return {
    changed: was !== replicas,
    message: `deployment.apps/${ref.name} scaled from ${was} to ${replicas}`,
    data: { from: was, to: replicas },
  };
}
