import { apiGroups, groupVersion, type ResourceType } from './resources.ts';

export type DiscoveryMode = 'aggregated' | 'legacy';

/** A discovery answer: the body and the media type to echo in Content-Type. */
export interface DiscoveryAnswer {
  contentType: string;
  body: unknown;
}

const AGGREGATED =
  /^application\/json;g=apidiscovery\.k8s\.io;v=(v2|v2beta1);as=APIGroupDiscoveryList$/;

/**
 * The aggregated discovery version a client accepts first, honouring its Accept list entry by
 * entry: kubectl 1.27-1.29 accept only v2beta1, 1.30+ prefer v2. Answering v2 to a client that
 * only knows v2beta1 breaks every command (KUBERNETES.md §2.4).
 */
export function negotiateAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const media = entry
      .split(';')
      .map((p) => p.trim())
      .filter((p) => !p.startsWith('q='))
      .join(';');
    const match = AGGREGATED.exec(media);
    if (match) return match[1] as 'v2' | 'v2beta1';
    if (media === 'application/json' || media === '*/*') return undefined;
  }
  return undefined;
}

function aggregatedResource(r: ResourceType) {
  return {
    resource: r.name,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.subresources
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: {
              group: s.group ?? r.group,
              version: s.version ?? r.version,
              kind: s.kind,
            },
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

/** GET /api or /apis: aggregated when the mode and the client allow it, else the legacy list. */
export function rootDiscovery(
  path: '/api' | '/apis',
  mode: DiscoveryMode,
  accept: string | undefined,
  serverAddress: string,
): DiscoveryAnswer {
  const groups = apiGroups().filter((g) => (path === '/api') === (g.group === ''));
  const version = mode === 'aggregated' ? negotiateAggregated(accept) : undefined;
  if (version) {
    return {
      contentType: `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
      body: {
        kind: 'APIGroupDiscoveryList',
        apiVersion: `apidiscovery.k8s.io/${version}`,
        metadata: {},
        items: groups.map((g) => ({
          metadata: g.group === '' ? {} : { name: g.group },
          versions: [
            {
              version: g.version,
              resources: g.resources.map(aggregatedResource),
              freshness: 'Current',
            },
          ],
        })),
      },
    };
  }
  if (path === '/api') {
    return {
      contentType: 'application/json',
      body: {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      },
    };
  }
  return {
    contentType: 'application/json',
    body: {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => {
        const gv = { groupVersion: groupVersion(g), version: g.version };
        return { name: g.group, versions: [gv], preferredVersion: gv };
      }),
    },
  };
}

/** GET /api/v1 or /apis/GROUP/VERSION: the APIResourceList, subresources as `pods/log`. */
export function groupVersionDiscovery(group: string, version: string): unknown | undefined {
  const entry = apiGroups().find((g) => g.group === group && g.version === version);
  if (!entry) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(entry),
    resources: entry.resources.flatMap((r) => [
      {
        name: r.name,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      },
      ...(r.subresources ?? []).map((s) => ({
        name: `${r.name}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      })),
    ]),
  };
}
