import type { ResourceRequest, ResourceResponse } from './api-request.ts';
import { errors } from './api-status.ts';
import type { ClusterContext } from './cluster-context.ts';
import type { KubeObject } from './objects.ts';
import { groupVersion } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { toTable, wantsTable } from './tables.ts';

/** GET of one object, as JSON or as a Table row. */
export function getObject(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const object = context.store.get(request.type, request.namespace, request.name!);
  if (!object) throw errors.notFound(request.type, request.name!);
  return render(context, request, [object], object);
}

interface ContinueToken {
  rv: string;
  start: number;
}

/**
 * A list (or a watch, with watch=true) with label and field selectors, `limit` and
 * `continue`; the list carries the store's resourceVersion, which a watch resumes from.
 */
export function listObjects(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const { query, type } = request;
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(type, query.get('fieldSelector'));
  const matches = (o: KubeObject) => labels(o) && fields(o);
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    const timeout = query.get('timeoutSeconds');
    return {
      watch: {
        type,
        ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
        matches,
        resourceVersion: query.get('resourceVersion'),
        sendInitialEvents: query.get('sendInitialEvents') === 'true',
        allowBookmarks: query.get('allowWatchBookmarks') === 'true',
        ...(timeout === null ? {} : { timeoutSeconds: Number(timeout) }),
      },
    };
  }
  const all = context.store.list(type, request.namespace).filter(matches);
  const limit = Number(query.get('limit') ?? 0);
  let start = 0;
  let resourceVersion = context.store.resourceVersion;
  const token = query.get('continue');
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken;
      start = parsed.start;
      resourceVersion = parsed.rv;
    } catch {
      throw errors.badRequest(`invalid continue token: ${JSON.stringify(token)}`);
    }
  }
  const items = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const more = limit > 0 && start + limit < all.length;
  const next = more
    ? Buffer.from(JSON.stringify({ rv: resourceVersion, start: start + limit })).toString(
        'base64url',
      )
    : undefined;
  const table = wantsTable(request.accept);
  if (table) {
    const body = toTable(type, items, {
      version: table,
      now: context.clock.now(),
      resourceVersion,
      includeObject: query.get('includeObject'),
    }) as { metadata: Record<string, unknown> };
    if (next) body.metadata.continue = next;
    return { code: 200, body, contentType: `application/json;as=Table;v=${table};g=meta.k8s.io` };
  }
  return {
    code: 200,
    body: {
      kind: `${type.kind}List`,
      apiVersion: groupVersion(type),
      metadata: {
        resourceVersion,
        ...(next ? { continue: next, remainingItemCount: all.length - start - limit } : {}),
      },
      // Items of a list carry no kind or apiVersion, as the real server's lists.
      items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    },
  };
}

function render(
  context: ClusterContext,
  request: ResourceRequest,
  objects: KubeObject[],
  single: KubeObject,
): ResourceResponse {
  const table = wantsTable(request.accept);
  if (!table) return { code: 200, body: single };
  return {
    code: 200,
    body: toTable(request.type, objects, {
      version: table,
      now: context.clock.now(),
      resourceVersion: single.metadata.resourceVersion ?? '',
      includeObject: request.query.get('includeObject'),
    }),
    contentType: `application/json;as=Table;v=${table};g=meta.k8s.io`,
  };
}
