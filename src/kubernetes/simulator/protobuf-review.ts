/**
 * The one protobuf body the simulator reads: `kubectl auth can-i` posts its
 * SelfSubjectAccessReview as application/vnd.kubernetes.protobuf (every other command sends
 * JSON). The answer goes back as JSON, which kubectl's Accept allows. Field numbers from
 * k8s.io/api/authorization/v1/generated.proto; the envelope is runtime.Unknown behind the
 * 4-byte magic "k8s\0".
 */
type Fields = Map<number, (Buffer | number)[]>;

function varint(buffer: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[at++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function fields(buffer: Buffer): Fields {
  const out: Fields = new Map();
  let at = 0;
  while (at < buffer.length) {
    const [key, next] = varint(buffer, at);
    at = next;
    const number = Math.floor(key / 8);
    const wire = key & 7;
    let value: Buffer | number;
    if (wire === 0) [value, at] = varint(buffer, at);
    else if (wire === 2) {
      const [length, start] = varint(buffer, at);
      value = buffer.subarray(start, start + length);
      at = start + length;
    } else if (wire === 1) {
      value = 0;
      at += 8;
    } else if (wire === 5) {
      value = 0;
      at += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.set(number, [...(out.get(number) ?? []), value]);
  }
  return out;
}

const text = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const message = (f: Fields, n: number) => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A protobuf SelfSubjectAccessReview as the JSON object it stands for. */
export function decodeAccessReview(body: Buffer): unknown {
  if (!body.subarray(0, 4).equals(MAGIC))
    throw new Error('not a Kubernetes protobuf body (no k8s magic)');
  const unknown = fields(body.subarray(4));
  const raw = unknown.get(2)?.[0];
  if (!Buffer.isBuffer(raw)) throw new Error('protobuf envelope without an object');
  const spec = message(fields(raw), 2);
  const resource = spec && message(spec, 1);
  const nonResource = spec && message(spec, 2);
  const pick = (f: Fields, names: [number, string][]) =>
    Object.fromEntries(
      names.map(([n, name]) => [name, text(f, n)]).filter(([, v]) => v !== undefined),
    );
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec: {
      ...(resource
        ? {
            resourceAttributes: pick(resource, [
              [1, 'namespace'],
              [2, 'verb'],
              [3, 'group'],
              [4, 'version'],
              [5, 'resource'],
              [6, 'subresource'],
              [7, 'name'],
            ]),
          }
        : {}),
      ...(nonResource
        ? {
            nonResourceAttributes: pick(nonResource, [
              [1, 'path'],
              [2, 'verb'],
            ]),
          }
        : {}),
    },
  };
}
