import { encodeVarint } from '../../support/protobuf-varint.ts';

/**
 * The two messages of grpc.health.v1, encoded by hand so mend needs neither protobufjs nor
 * proto-loader at run time:
 *   message HealthCheckRequest  { string service = 1; }
 *   message HealthCheckResponse { ServingStatus status = 1; }
 * Decoding skips unknown fields, as protobuf requires, so newer servers stay readable. Messages
 * are objects shaped like the proto, never bare values: grpc-js treats a falsy message as missing.
 */

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  /** The ServingStatus number. */
  status: number;
}

export const SERVING_STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

export function servingStatusName(status: number): string {
  return SERVING_STATUS_NAMES[status] ?? `UNRECOGNIZED(${status})`;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

export function encodeHealthCheckRequest({ service }: HealthCheckRequest): Buffer {
  // proto3 leaves a default (empty) field out entirely.
  if (service === '') return Buffer.alloc(0);
  const text = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([(1 << 3) | WIRE_BYTES]), encodeVarint(text.length), text]);
}

export function encodeHealthCheckResponse({ status }: HealthCheckResponse): Buffer {
  if (status === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([(1 << 3) | WIRE_VARINT]), encodeVarint(status)]);
}

export function decodeHealthCheckRequest(bytes: Buffer): HealthCheckRequest {
  let service = '';
  readFields(bytes, (field, wire, value, start, end) => {
    if (field === 1 && wire === WIRE_BYTES) service = bytes.toString('utf8', start, end);
    return value;
  });
  return { service };
}

/** Enums are int32 on the wire, so only the low 32 bits of the varint count. */
export function decodeHealthCheckResponse(bytes: Buffer): HealthCheckResponse {
  let status = 0;
  readFields(bytes, (field, wire, value) => {
    if (field === 1 && wire === WIRE_VARINT) status = value;
    return value;
  });
  return { status };
}

type FieldVisitor = (
  field: number,
  wire: number,
  value: number,
  start: number,
  end: number,
) => unknown;

/** Walks the fields of one message; throws on malformed input (grpc-js turns that into INTERNAL). */
function readFields(bytes: Buffer, visit: FieldVisitor): void {
  let offset = 0;
  while (offset < bytes.length) {
    const key = readVarint(bytes, offset);
    offset = key.next;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (field === 0) throw new Error('protobuf: field number 0');
    if (wire === WIRE_VARINT) {
      const value = readVarint(bytes, offset);
      visit(field, wire, value.low32, offset, value.next);
      offset = value.next;
    } else if (wire === WIRE_BYTES) {
      const length = readVarint(bytes, offset);
      const end = length.next + length.value;
      if (end > bytes.length) throw new Error('protobuf: length past the end of the message');
      visit(field, wire, length.value, length.next, end);
      offset = end;
    } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
      offset += wire === WIRE_FIXED64 ? 8 : 4;
      if (offset > bytes.length) throw new Error('protobuf: fixed field past the end');
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
}

function readVarint(bytes: Buffer, start: number): { value: number; low32: number; next: number } {
  let value = 0;
  let low32 = 0;
  for (let i = 0; i < 10; i++) {
    const byte = bytes[start + i];
    if (byte === undefined) throw new Error('protobuf: truncated varint');
    const shift = 7 * i;
    value += (byte & 0x7f) * 2 ** shift;
    if (shift < 32) low32 |= (byte & 0x7f) << shift;
    if (byte < 0x80) return { value, low32: low32 | 0, next: start + i + 1 };
  }
  throw new Error('protobuf: varint longer than 10 bytes');
}
