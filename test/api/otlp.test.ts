import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { call, type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

let mend: RunningMend;
before(async () => {
  mend = await startRunningMend({});
});
after(async () => {
  await mend?.stop();
});

const SPANS = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'GET /',
              kind: 2,
              startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
              status: {},
            },
          ],
        },
      ],
    },
  ],
};

const post = (options: {
  token?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}) =>
  new Promise<Awaited<ReturnType<typeof call>>>((resolve, reject) => {
    const body = options.body ?? JSON.stringify(SPANS);
    // call() sends strings; a Buffer body (protobuf, gzip) goes through fetch.
    if (typeof body === 'string') {
      call(mend.base, 'POST', '/v1/traces', {
        body,
        ...(options.token ? { token: options.token } : {}),
        headers: { 'content-type': 'application/json', ...options.headers },
      }).then(resolve, reject);
      return;
    }
    fetch(new URL('/v1/traces', mend.base), {
      method: 'POST',
      body: new Uint8Array(body),
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
    }).then(async (res) => {
      const text = await res.text();
      resolve({
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body: text,
        json: () => JSON.parse(text),
      });
    }, reject);
  });

test('an export is answered in its own encoding: {} for JSON, an empty message for protobuf', async () => {
  const json = await post({ token: mend.tokens.ingest });
  assert.equal(json.status, 200, json.body);
  assert.equal(json.body, '{}');
  assert.match(String(json.headers['content-type']), /^application\/json/);
  const proto = await post({
    token: mend.tokens.ingest,
    body: Buffer.alloc(0),
    headers: { 'content-type': 'application/x-protobuf' },
  });
  assert.equal(proto.status, 200, proto.body);
  assert.equal(proto.body, '');
  assert.match(String(proto.headers['content-type']), /^application\/x-protobuf/);
  const zipped = await post({
    token: mend.tokens.ingest,
    body: gzipSync(JSON.stringify(SPANS)),
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
  });
  assert.equal(zipped.status, 200, zipped.body);
});

test('bad input: the right status as a problem document', async () => {
  const ingest = mend.tokens.ingest;
  const proto = { 'content-type': 'application/x-protobuf' };
  const cases: [string, () => ReturnType<typeof post>, number, RegExp?][] = [
    ['no token', () => post({}), 401],
    ['a viewer token', () => post({ token: mend.tokens.viewer }), 403],
    ['text/plain', () => post({ token: ingest, headers: { 'content-type': 'text/plain' } }), 415],
    ['malformed JSON', () => post({ token: ingest, body: '{"resourceSpans": [' }), 400, /not JSON/],
    [
      'JSON of the wrong shape',
      () => post({ token: ingest, body: '{"resourceSpans": {}}' }),
      400,
      /resourceSpans: expected an array/,
    ],
    [
      'bytes that are not protobuf',
      () => post({ token: ingest, body: Buffer.from([0x0a, 0x7f, 0x01]), headers: proto }),
      400,
      /runs past the end/,
    ],
    [
      'gzip that is not gzip',
      () =>
        post({
          token: ingest,
          body: Buffer.from('nope'),
          headers: { ...proto, 'content-encoding': 'gzip' },
        }),
      400,
      /not gzip/,
    ],
    [
      'a gzip bomb',
      () =>
        post({
          token: ingest,
          body: gzipSync(Buffer.alloc(20 * 1024 * 1024)),
          headers: { ...proto, 'content-encoding': 'gzip' },
        }),
      413,
      /inflates past/,
    ],
    [
      'an encoding other than gzip',
      () =>
        post({
          token: ingest,
          body: Buffer.from('x'),
          headers: { ...proto, 'content-encoding': 'br' },
        }),
      415,
      /send gzip or none/,
    ],
    [
      // Said by its length, as an exporter frames it: refused before a byte more is read.
      'a huge body',
      () =>
        post({
          token: ingest,
          body: 'x',
          headers: { ...proto, 'content-length': String(5 * 1024 * 1024) },
        }),
      413,
    ],
  ];
  for (const [what, send, status, message] of cases) {
    const answer = await send();
    assert.equal(answer.status, status, `${what}: ${answer.body}`);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/, what);
    if (message) assert.match(answer.body, message, what);
  }
});
