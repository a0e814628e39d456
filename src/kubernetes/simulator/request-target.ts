import { findResource, type ResourceType } from './resources.ts';

/** What a request URL addresses. */
export type RequestTarget =
  | { kind: 'version' }
  | { kind: 'root'; path: '/api' | '/apis' }
  | { kind: 'group-version'; group: string; version: string }
  | {
      kind: 'resource';
      type: ResourceType;
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'unknown' };

/**
 * Parses `/api/v1/namespaces/NS/pods/NAME/log`, `/apis/apps/v1/deployments`, ... into what it
 * addresses. `namespaces/NS` is a namespace object when nothing follows, and a scope otherwise.
 */
export function parseTarget(pathname: string): RequestTarget {
  if (pathname === '/version' || pathname === '/version/') return { kind: 'version' };
  if (pathname === '/api' || pathname === '/apis') return { kind: 'root', path: pathname };
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  if (rest.length === 0) return { kind: 'group-version', group, version };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  const type = findResource(group, version, resource!);
  if (!type || extra.length > 0 || (namespace !== undefined && !type.namespaced)) {
    return { kind: 'unknown' };
  }
  if (subresource !== undefined && !type.subresources?.some((s) => s.name === subresource)) {
    return { kind: 'unknown' };
  }
  return {
    kind: 'resource',
    type,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}

/** The RBAC verb of a request (get vs list vs watch, delete vs deletecollection). */
export function verbOf(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
