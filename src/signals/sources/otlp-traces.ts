/**
 * OTLP/HTTP trace exports (`ExportTraceServiceRequest`), in both encodings the specification
 * gives: binary protobuf (`application/x-protobuf`) and JSON (`application/json`, the protobuf
 * JSON mapping with hex trace and span ids). Only what mend reduces spans to is read: the
 * resource's `service.name`, and per span its ids, name, kind, times, status and attributes.
 * Everything else is skipped by its wire type, so a newer field breaks nothing. Pure.
 */
export interface ReceivedSpan {
  /** The resource's `service.name`; `unknown_service` when it has none (the SDKs' default). */
  service: string;
  traceId: string;
  spanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer; 0 unspecified. */
  kind: number;
  /** Epoch ms. */
  startMs: number;
  durationMs: number;
  /** Status code ERROR (2). */
  error: boolean;
  statusMessage: string;
  /** Attributes as text, at most MAX_ATTRIBUTES of them, each value bounded. */
  attributes: Record<string, string>;
}

export type DecodedSpans = { ok: true; spans: ReceivedSpan[] } | { ok: false; error: string };

const MAX_ATTRIBUTES = 16;
const MAX_VALUE_CHARS = 256;
export const SERVER_KIND = 2;
const ERROR_CODE = 2;

// ---- binary protobuf ----------------------------------------------------------------------------

class Reader {
  readonly buffer: Buffer;
  #pos: number;
  readonly #end: number;
  constructor(buffer: Buffer, start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.#pos = start;
    this.#end = end;
  }
  get done(): boolean {
    return this.#pos >= this.#end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#end) throw new Error('a varint runs past the end');
      const byte = this.buffer[this.#pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new Error('a varint is longer than 10 bytes');
  }
  small(): number {
    return Number(this.varint());
  }
  fixed64(): bigint {
    if (this.#pos + 8 > this.#end) throw new Error('a fixed64 runs past the end');
    const value = this.buffer.readBigUInt64LE(this.#pos);
    this.#pos += 8;
    return value;
  }
  double(): number {
    if (this.#pos + 8 > this.#end) throw new Error('a double runs past the end');
    const value = this.buffer.readDoubleLE(this.#pos);
    this.#pos += 8;
    return value;
  }
  bytes(): Reader {
    const length = this.small();
    if (length < 0 || this.#pos + length > this.#end) {
      throw new Error('a length-delimited field runs past the end');
    }
    const inner = new Reader(this.buffer, this.#pos, this.#pos + length);
    this.#pos += length;
    return inner;
  }
  text(): string {
    const inner = this.bytes();
    return inner.buffer.toString('utf8', inner.#pos, inner.#end);
  }
  hex(): string {
    const inner = this.bytes();
    return inner.buffer.toString('hex', inner.#pos, inner.#end);
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.#skipBytes(8);
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.#skipBytes(4);
    else throw new Error(`wire type ${wireType} is not one protobuf has (or a deprecated group)`);
  }
  #skipBytes(n: number): void {
    if (this.#pos + n > this.#end) throw new Error('a fixed field runs past the end');
    this.#pos += n;
  }
  /** Each field of this message: its number and wire type; the callback reads or skips it. */
  fields(read: (field: number, wireType: number, reader: Reader) => boolean): void {
    while (!this.done) {
      const tag = this.small();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 0) throw new Error('a field numbered 0');
      if (!read(field, wireType, this)) this.skip(wireType);
    }
  }
}

export function decodeProtobufTraces(body: Buffer): DecodedSpans {
  const spans: ReceivedSpan[] = [];
  try {
    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    new Reader(body).fields((field, wire, r) => {
      if (field !== 1 || wire !== 2) return false;
      readResourceSpans(r.bytes(), spans);
      return true;
    });
  } catch (err) {
    return {
      ok: false,
      error: `not an OTLP ExportTraceServiceRequest in protobuf: ${(err as Error).message}`,
    };
  }
  return { ok: true, spans };
}

/** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; } */
function readResourceSpans(r: Reader, out: ReceivedSpan[]): void {
  let service = 'unknown_service';
  const scopes: Reader[] = [];
  r.fields((field, wire, m) => {
    if (wire !== 2) return false;
    if (field === 1) {
      // Resource { repeated KeyValue attributes = 1; }
      m.bytes().fields((f, w, res) => {
        if (f !== 1 || w !== 2) return false;
        const [key, value] = readKeyValue(res.bytes());
        if (key === 'service.name' && value !== '') service = value;
        return true;
      });
      return true;
    }
    if (field === 2) {
      scopes.push(m.bytes());
      return true;
    }
    return false;
  });
  // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
  for (const scope of scopes) {
    scope.fields((field, wire, m) => {
      if (field !== 2 || wire !== 2) return false;
      out.push(readSpan(m.bytes(), service));
      return true;
    });
  }
}

function readSpan(r: Reader, service: string): ReceivedSpan {
  const span: ReceivedSpan = {
    service,
    traceId: '',
    spanId: '',
    name: '',
    kind: 0,
    startMs: 0,
    durationMs: 0,
    error: false,
    statusMessage: '',
    attributes: {},
  };
  let start = 0n;
  let end = 0n;
  r.fields((field, wire, m) => {
    if (field === 1 && wire === 2) span.traceId = m.hex();
    else if (field === 2 && wire === 2) span.spanId = m.hex();
    else if (field === 5 && wire === 2) span.name = bounded(m.text());
    else if (field === 6 && wire === 0) span.kind = m.small();
    else if (field === 7 && wire === 1) start = m.fixed64();
    else if (field === 8 && wire === 1) end = m.fixed64();
    else if (field === 9 && wire === 2) {
      const [key, value] = readKeyValue(m.bytes());
      addAttribute(span.attributes, key, value);
    } else if (field === 15 && wire === 2) {
      // Status { string message = 2; StatusCode code = 3; }
      m.bytes().fields((f, w, st) => {
        if (f === 2 && w === 2) span.statusMessage = bounded(st.text());
        else if (f === 3 && w === 0) span.error = st.small() === ERROR_CODE;
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  span.startMs = Number(start / 1_000_000n);
  span.durationMs = end > start ? Number(end - start) / 1e6 : 0;
  return span;
}

/** KeyValue { string key = 1; AnyValue value = 2; }: the value as text. */
function readKeyValue(r: Reader): [string, string] {
  let key = '';
  let value = '';
  r.fields((field, wire, m) => {
    if (field === 1 && wire === 2) key = m.text();
    else if (field === 2 && wire === 2) value = readAnyValue(m.bytes());
    else return false;
    return true;
  });
  return [key, value];
}

/** AnyValue: string 1, bool 2, int 3, double 4; arrays, maps and bytes are said by kind. */
function readAnyValue(r: Reader): string {
  let value = '';
  r.fields((field, wire, m) => {
    if (field === 1 && wire === 2) value = m.text();
    else if (field === 2 && wire === 0) value = m.varint() === 0n ? 'false' : 'true';
    else if (field === 3 && wire === 0) value = BigInt.asIntN(64, m.varint()).toString();
    else if (field === 4 && wire === 1) value = String(m.double());
    else if (wire === 2 && (field === 5 || field === 6 || field === 7)) {
      m.bytes();
      value = field === 5 ? '[array]' : field === 6 ? '[map]' : '[bytes]';
    } else return false;
    return true;
  });
  return bounded(value);
}

// ---- JSON ---------------------------------------------------------------------------------------

interface JsonKeyValue {
  key?: unknown;
  value?: Record<string, unknown>;
}

export function decodeJsonTraces(body: Buffer): DecodedSpans {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `the body is not JSON: ${(err as Error).message}` };
  }
  const fail = (where: string, what: string) => ({
    ok: false as const,
    error: `not an OTLP ExportTraceServiceRequest in JSON: ${where}: expected ${what}`,
  });
  if (!isObject(parsed)) return fail('the body', 'an object');
  const resourceSpans = parsed.resourceSpans ?? [];
  if (!Array.isArray(resourceSpans)) return fail('resourceSpans', 'an array');
  const spans: ReceivedSpan[] = [];
  for (const [i, rs] of resourceSpans.entries()) {
    if (!isObject(rs)) return fail(`resourceSpans[${i}]`, 'an object');
    const attributes = isObject(rs.resource) ? (rs.resource.attributes ?? []) : [];
    if (!Array.isArray(attributes))
      return fail(`resourceSpans[${i}].resource.attributes`, 'an array');
    let service = 'unknown_service';
    for (const kv of attributes as JsonKeyValue[]) {
      if (isObject(kv) && kv.key === 'service.name') {
        const value = jsonAnyValue(kv.value);
        if (value !== '') service = value;
      }
    }
    const scopeSpans = rs.scopeSpans ?? [];
    if (!Array.isArray(scopeSpans)) return fail(`resourceSpans[${i}].scopeSpans`, 'an array');
    for (const [j, ss] of scopeSpans.entries()) {
      const list = isObject(ss) ? (ss.spans ?? []) : undefined;
      if (!Array.isArray(list))
        return fail(`resourceSpans[${i}].scopeSpans[${j}].spans`, 'an array');
      for (const [k, raw] of list.entries()) {
        const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
        const span = jsonSpan(raw, service);
        if (span === undefined) return fail(where, 'a span with traceId, spanId, name and times');
        spans.push(span);
      }
    }
  }
  return { ok: true, spans };
}

function jsonSpan(raw: unknown, service: string): ReceivedSpan | undefined {
  if (!isObject(raw)) return undefined;
  const start = nanos(raw.startTimeUnixNano);
  const end = nanos(raw.endTimeUnixNano);
  if (typeof raw.traceId !== 'string' || typeof raw.spanId !== 'string') return undefined;
  if (typeof raw.name !== 'string' || start === undefined || end === undefined) return undefined;
  const attributes: Record<string, string> = {};
  if (Array.isArray(raw.attributes)) {
    for (const kv of raw.attributes as JsonKeyValue[]) {
      if (isObject(kv) && typeof kv.key === 'string') {
        addAttribute(attributes, kv.key, jsonAnyValue(kv.value));
      }
    }
  }
  const status = isObject(raw.status) ? raw.status : {};
  const code =
    typeof status.code === 'number' ? status.code : status.code === 'STATUS_CODE_ERROR' ? 2 : 0;
  return {
    service,
    traceId: raw.traceId.toLowerCase(),
    spanId: raw.spanId.toLowerCase(),
    name: bounded(raw.name),
    kind: typeof raw.kind === 'number' ? raw.kind : 0,
    startMs: Number(start / 1_000_000n),
    durationMs: end > start ? Number(end - start) / 1e6 : 0,
    error: code === ERROR_CODE,
    statusMessage: typeof status.message === 'string' ? bounded(status.message) : '',
    attributes,
  };
}

/** The JSON mapping sends 64-bit integers as strings, and numbers are accepted too. */
function nanos(value: unknown): bigint | undefined {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

function jsonAnyValue(value: unknown): string {
  if (!isObject(value)) return '';
  if (typeof value.stringValue === 'string') return bounded(value.stringValue);
  if (typeof value.boolValue === 'boolean') return String(value.boolValue);
  if (typeof value.intValue === 'string' || typeof value.intValue === 'number')
    return String(value.intValue);
  if (typeof value.doubleValue === 'number') return String(value.doubleValue);
  if ('arrayValue' in value) return '[array]';
  if ('kvlistValue' in value) return '[map]';
  if ('bytesValue' in value) return '[bytes]';
  return '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function addAttribute(attributes: Record<string, string>, key: string, value: string): void {
  if (Object.keys(attributes).length >= MAX_ATTRIBUTES) return;
  attributes[bounded(key)] = value;
}

function bounded(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}
