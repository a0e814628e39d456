import { FIELD_MANAGER, type KubeClient, PATCH } from '../client/kube-client.ts';
import { type HealMark, markAnnotations } from './marks.ts';

/** An object as the API server returns it; mend reads the few fields it needs. */
export type KubeObject = Record<string, unknown> & {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
};

export interface KubeList {
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

/** Where a namespaced object is: the namespace and its name (both checked DNS-1123 names). */
export interface ObjectRef {
  namespace: string;
  name: string;
}

/** What one action did, in words, and whether it changed anything. */
export interface ActionReport {
  changed: boolean;
  message: string;
  data?: Record<string, unknown>;
}

/** An action that cannot go on for a reason the API server did not give (a paused Deployment). */
export class ActionFailed extends Error {}

const seg = encodeURIComponent;
export const paths = {
  deployments: (ns: string) => `/apis/apps/v1/namespaces/${seg(ns)}/deployments`,
  deployment: (r: ObjectRef) =>
    `/apis/apps/v1/namespaces/${seg(r.namespace)}/deployments/${seg(r.name)}`,
  replicaSets: (ns: string) => `/apis/apps/v1/namespaces/${seg(ns)}/replicasets`,
  pods: (ns: string) => `/api/v1/namespaces/${seg(ns)}/pods`,
  pod: (r: ObjectRef) => `/api/v1/namespaces/${seg(r.namespace)}/pods/${seg(r.name)}`,
  events: (ns: string) => `/api/v1/namespaces/${seg(ns)}/events`,
  node: (name: string) => `/api/v1/nodes/${seg(name)}`,
};

/** Every item of a list, page by page (`limit` and `continue`), at most `max`. */
export async function listAll(
  client: KubeClient,
  path: string,
  query: Record<string, string | number | undefined>,
  signal: AbortSignal,
  max = 5000,
): Promise<KubeList> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = await client.json<KubeList>({
      method: 'GET',
      path,
      query: { ...query, limit: 500, continue: token },
      signal,
    });
    resourceVersion ??= page.metadata.resourceVersion;
    items.push(...page.items);
    token = page.metadata.continue || undefined;
  } while (token && items.length < max);
  return {
    metadata: { ...(resourceVersion ? { resourceVersion } : {}) },
    items: items.slice(0, max),
  };
}

/** A LabelSelector rendered as the API's query syntax (matchLabels and matchExpressions). */
export function selectorText(selector: unknown): string {
  const s = (selector ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Whether `owner` (by uid) is the object's controller, as metav1.IsControlledBy. */
export function controlledBy(object: KubeObject, uid: string | undefined): boolean {
  return (object.metadata.ownerReferences ?? []).some(
    (o) => o.controller === true && o.uid === uid,
  );
}

export const REVISION = 'deployment.kubernetes.io/revision';

export function revisionOf(object: KubeObject): number | undefined {
  const text = object.metadata.annotations?.[REVISION];
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) ? n : undefined;
}

/** The objects of a namespaced list that a Deployment's selector picks. */
async function selectedBy(
  client: KubeClient,
  deployment: KubeObject,
  path: (namespace: string) => string,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const selector = selectorText((deployment.spec as { selector?: unknown }).selector);
  const list = await listAll(
    client,
    path(deployment.metadata.namespace!),
    { labelSelector: selector },
    signal,
  );
  return list.items;
}

/** The ReplicaSets a Deployment controls, newest revision first. */
export async function replicaSetsOf(
  client: KubeClient,
  deployment: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  return (await selectedBy(client, deployment, paths.replicaSets, signal))
    .filter((rs) => controlledBy(rs, deployment.metadata.uid))
    .sort((a, b) => (revisionOf(b) ?? 0) - (revisionOf(a) ?? 0));
}

/** The Pods a Deployment's selector picks. */
export function podsOf(
  client: KubeClient,
  deployment: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  return selectedBy(client, deployment, paths.pods, signal);
}

/** Puts the mark alone on an object (when the change itself cannot carry it): a merge patch. */
export function patchMark(
  client: KubeClient,
  path: string,
  mark: HealMark,
  now: Date,
  signal: AbortSignal,
): Promise<KubeObject> {
  return client.json<KubeObject>({
    method: 'PATCH',
    path,
    query: { fieldManager: FIELD_MANAGER },
    body: { metadata: { annotations: markAnnotations(mark, now.toISOString()) } },
    contentType: PATCH.merge,
    signal,
  });
}
