import { errors } from './api-status.ts';
import { clone } from './objects.ts';

type Value = unknown;
type Obj = Record<string, Value>;

const isObject = (v: Value): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Applies a PATCH body of the given Content-Type; 415 for types the simulator does not serve. */
export function applyPatch(target: Obj, contentType: string, body: Value): Obj {
  const type = contentType.split(';')[0]!.trim();
  if (type === PATCH_TYPES.json) return jsonPatch(target, body);
  if (type === PATCH_TYPES.merge) return mergePatch(target, body) as Obj;
  if (type === PATCH_TYPES.strategic) return strategicMergePatch(target, body) as Obj;
  // Server-side apply is left out on purpose (KUBERNETES.md §4.2): a 415 keeps clients off it.
  throw errors.unsupportedMediaType(type);
}

/** RFC 7386: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: Value, patch: Value): Value {
  if (!isObject(patch)) return clone(patch);
  const result: Obj = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * The merge keys of the lists the simulator's clients patch (k8s.io/api `patchMergeKey` tags).
 * A list without an entry here is replaced whole, as for an atomic list.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  taints: 'key',
};
/** Lists of scalars that strategic merge unions instead of replacing. */
const MERGED_SCALAR_LISTS = new Set(['finalizers']);

/**
 * Strategic merge patch for the fields and directives kubectl and client libraries send:
 * merge keys for the lists above, `$patch: replace | delete | merge`, `$setElementOrder/`,
 * `$retainKeys` and `$deleteFromPrimitiveList/`. Modelled from
 * apimachinery/pkg/util/strategicpatch; `kubectl set image` and `rollout restart` are checked
 * against it by real kubectl.
 */
export function strategicMergePatch(target: Value, patch: Value): Value {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Obj = isObject(target) ? clone(target) : {};
  const retain = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const list = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((value as Value[]).map((v) => JSON.stringify(v)));
      const current = result[list];
      if (Array.isArray(current))
        result[list] = current.filter((v) => !drop.has(JSON.stringify(v)));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    if (Array.isArray(value)) {
      result[key] = mergeList(key, result[key], value, patch[`$setElementOrder/${key}`]);
      continue;
    }
    const merged = strategicMergePatch(result[key], value);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(name: string, current: Value, patch: Value[], order: Value): Value[] {
  if (MERGED_SCALAR_LISTS.has(name)) {
    const seen = new Set<string>();
    return [...(Array.isArray(current) ? current : []), ...patch].filter((v) => {
      const key = JSON.stringify(v);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const mergeKey = MERGE_KEYS[name];
  if (!mergeKey || !patch.every(isObject)) return clone(patch);
  if (patch.some((item) => (item as Obj).$patch === 'replace')) {
    return patch.filter((i) => (i as Obj).$patch !== 'replace').map(clone);
  }
  const items: Obj[] = Array.isArray(current) ? (clone(current) as Obj[]) : [];
  for (const change of patch as Obj[]) {
    const at = items.findIndex((item) => item[mergeKey] === change[mergeKey]);
    if (change.$patch === 'delete') {
      if (at >= 0) items.splice(at, 1);
      continue;
    }
    if (at >= 0) items[at] = strategicMergePatch(items[at], change) as Obj;
    else items.push(strategicMergePatch({}, change) as Obj);
  }
  if (!Array.isArray(order)) return items;
  // $setElementOrder gives the order of the patched list; items it does not name keep theirs, last.
  const rank = new Map(order.map((o, i) => [(o as Obj)[mergeKey], i]));
  return [...items].sort(
    (a, b) => (rank.get(a[mergeKey]) ?? rank.size) - (rank.get(b[mergeKey]) ?? rank.size),
  );
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Value;
}

/** RFC 6902: add, remove, replace, move, copy, test. A failed `test` or a bad path is 422. */
export function jsonPatch(target: Obj, body: Value): Obj {
  if (!Array.isArray(body)) throw errors.badRequest('json patch: expected an array of operations');
  let doc: Value = clone(target);
  for (const operation of body as Operation[]) {
    const { op, path } = operation;
    switch (op) {
      case 'add':
        doc = put(doc, pointer(path), clone(operation.value), 'add');
        break;
      case 'replace':
        get(doc, pointer(path));
        doc = put(doc, pointer(path), clone(operation.value), 'replace');
        break;
      case 'remove':
        doc = removeAt(doc, pointer(path));
        break;
      case 'move': {
        const value = get(doc, pointer(operation.from ?? ''));
        doc = put(removeAt(doc, pointer(operation.from ?? '')), pointer(path), value, 'add');
        break;
      }
      case 'copy':
        doc = put(doc, pointer(path), clone(get(doc, pointer(operation.from ?? ''))), 'add');
        break;
      case 'test':
        if (JSON.stringify(get(doc, pointer(path))) !== JSON.stringify(operation.value)) {
          throw jsonPatchError(`testing value ${path} failed`);
        }
        break;
      default:
        throw errors.badRequest(`json patch: unexpected operation ${JSON.stringify(op)}`);
    }
  }
  return doc as Obj;
}

const jsonPatchError = (message: string) =>
  errors.badRequest(`the server rejected our request due to an error in our request: ${message}`);

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw jsonPatchError(`invalid path ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function get(doc: Value, segments: string[]): Value {
  let value = doc;
  for (const segment of segments) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (isObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else throw jsonPatchError(`doc is missing path: /${segments.join('/')}`);
    if (value === undefined) throw jsonPatchError(`doc is missing path: /${segments.join('/')}`);
  }
  return value;
}

function put(doc: Value, segments: string[], value: Value, op: 'add' | 'replace'): Value {
  if (segments.length === 0) return value;
  const parent = get(doc, segments.slice(0, -1));
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw jsonPatchError(`index out of range: ${last}`);
    }
    if (op === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw jsonPatchError(`doc is missing path: /${segments.join('/')}`);
  }
  return doc;
}

function removeAt(doc: Value, segments: string[]): Value {
  get(doc, segments);
  const parent = get(doc, segments.slice(0, -1));
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Obj)[last];
  return doc;
}
