import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
  servingStatusName,
} from '../../src/signals/probes/grpc-health-codec.ts';

test('grpc codec: request bytes match protoc’s encoding', () => {
  assert.deepEqual(encodeHealthCheckRequest({ service: '' }), Buffer.alloc(0));
  // field 1, wire type 2 (0x0a), length 4, "mend"
  assert.deepEqual(
    encodeHealthCheckRequest({ service: 'mend' }),
    Buffer.from('0a046d656e64', 'hex'),
  );
  const long = 'x'.repeat(300); // a two-byte length varint: 300 = 0xac 0x02
  assert.deepEqual(
    encodeHealthCheckRequest({ service: long }).subarray(0, 3),
    Buffer.from('0aac02', 'hex'),
  );
});

test('grpc codec: response statuses decode, the default status is the empty message', () => {
  assert.deepEqual(decodeHealthCheckResponse(Buffer.alloc(0)), { status: 0 });
  assert.deepEqual(decodeHealthCheckResponse(Buffer.from('0801', 'hex')), { status: 1 });
  assert.deepEqual(decodeHealthCheckResponse(Buffer.from('0802', 'hex')), { status: 2 });
  assert.equal(servingStatusName(1), 'SERVING');
  assert.equal(servingStatusName(3), 'SERVICE_UNKNOWN');
  assert.equal(servingStatusName(9), 'UNRECOGNIZED(9)');
});

test('grpc codec: unknown fields of every wire type are skipped', () => {
  const bytes = Buffer.concat([
    Buffer.from('109601', 'hex'), // field 2 varint 150
    Buffer.from('1a03616263', 'hex'), // field 3 bytes "abc"
    Buffer.from('2101020304050607 08'.replace(/ /g, ''), 'hex'), // field 4 fixed64
    Buffer.from('2d01020304', 'hex'), // field 5 fixed32
    Buffer.from('0802', 'hex'), // status NOT_SERVING
  ]);
  assert.deepEqual(decodeHealthCheckResponse(bytes), { status: 2 });
});

test('grpc codec: a negative enum (10-byte varint) decodes as int32', () => {
  assert.deepEqual(decodeHealthCheckResponse(Buffer.from('08ffffffffffffffffff01', 'hex')), {
    status: -1,
  });
});

test('grpc codec: malformed messages throw instead of guessing', () => {
  assert.throws(() => decodeHealthCheckResponse(Buffer.from('08', 'hex')), /truncated varint/);
  assert.throws(() => decodeHealthCheckResponse(Buffer.from('0a05ab', 'hex')), /past the end/);
  assert.throws(() => decodeHealthCheckResponse(Buffer.from('0b', 'hex')), /wire type 3/);
});

test('grpc codec: requests and responses round-trip', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (service) => {
      assert.deepEqual(decodeHealthCheckRequest(encodeHealthCheckRequest({ service })), {
        service,
      });
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (status) => {
      assert.deepEqual(decodeHealthCheckResponse(encodeHealthCheckResponse({ status })), {
        status,
      });
    }),
  );
});
