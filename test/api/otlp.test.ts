import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_SERVICES } from '../../src/signals/sources/trace-windows.ts';
import { receivedTotals } from '../helpers/exposition.ts';
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

/** One server span each for `services` services never seen before, as one JSON export. */
function exportOf(services: string[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: services.map((name, i) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: (i + 1).toString(16).padStart(32, '0'),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: 'GET /',
              kind: 2,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1_000_000n),
            },
          ],
        },
      ],
    })),
  });
}

const receivedSpans = () => receivedTotals(mend.base, 'span');

/** What the real SDK exporter makes of mend's answer: the warnings it logs through diag. */
async function sdkExport(kind: 'proto' | 'json', service: string): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const { TracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const api = require('@opentelemetry/api');
  const { OTLPTraceExporter } =
    kind === 'json'
      ? require('@opentelemetry/exporter-trace-otlp-http')
      : require('@opentelemetry/exporter-trace-otlp-proto');
  const warnings: string[] = [];
  const keep = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  api.diag.setLogger(
    { error: keep, warn: keep, info() {}, debug() {}, verbose() {} },
    api.DiagLogLevel.WARN,
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new SimpleSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: new URL('/v1/traces', mend.base).href,
          headers: { authorization: `Bearer ${mend.tokens.ingest}` },
        }),
      }),
    ],
  });
  provider.getTracer('t').startSpan('GET /', { kind: api.SpanKind.SERVER }).end();
  await provider.forceFlush();
  await provider.shutdown();
  api.diag.disable();
  return warnings;
}

// Last in the file: it fills the services the receiver keeps.
test('spans past the services kept: a partial success the SDK understands, counted on /metrics', async () => {
  const before = await receivedSpans();
  const names = Array.from({ length: MAX_SERVICES + 5 }, (_, i) => `svc-${i}`);
  const answer = await post({ token: mend.tokens.ingest, body: exportOf(names) });
  assert.equal(answer.status, 200, answer.body);
  const { partialSuccess } = answer.json() as {
    partialSuccess: { rejectedSpans: string; errorMessage: string };
  };
  const rejected = Number(partialSuccess.rejectedSpans);
  // Services the earlier tests sent already hold places: at least the 5 past the limit are out.
  assert.ok(rejected >= 5 && rejected < names.length, partialSuccess.rejectedSpans);
  assert.match(partialSuccess.errorMessage, /dropped/);
  const after = await receivedSpans();
  assert.equal((after.dropped ?? 0) - (before.dropped ?? 0), rejected);
  assert.equal((after.kept ?? 0) - (before.kept ?? 0), names.length - rejected);

  for (const kind of ['proto', 'json'] as const) {
    const warnings = await sdkExport(kind, `late-${kind}`);
    const partial = warnings.find((w) => w.includes('Partial Success'));
    assert.ok(partial, `${kind}: ${JSON.stringify(warnings)}`);
    assert.match(partial, /"rejectedSpans":"?1"?/, kind);
    assert.match(partial, /past the limit of services kept were dropped/, kind);
  }
});
