import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  decodeJsonTraces,
  decodeProtobufTraces,
  type ReceivedSpan,
} from '../../src/signals/sources/otlp-traces.ts';
import { MAX_SERVICES, TraceWindows } from '../../src/signals/sources/trace-windows.ts';

const require = createRequire(import.meta.url);

/** What the real SDK's exporters send, caught by a server on loopback. */
async function exported(kind: 'proto' | 'json'): Promise<{ bodies: Buffer[]; type: string }> {
  const { TracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const api = require('@opentelemetry/api');
  const { OTLPTraceExporter } =
    kind === 'json'
      ? require('@opentelemetry/exporter-trace-otlp-http')
      : require('@opentelemetry/exporter-trace-otlp-proto');
  const caught: { body: Buffer; type: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      caught.push({ body, type: String(req.headers['content-type']) });
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) });
      res.end(kind === 'json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2' }),
    spanProcessors: [
      new SimpleSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: `http://127.0.0.1:${port}/v1/traces`,
          compression: 'gzip',
        }),
      }),
    ],
  });
  const tracer = provider.getTracer('t');
  const start = Date.UTC(2026, 11, 2, 10, 0, 0);
  const failing = tracer.startSpan('POST /pay', {
    kind: api.SpanKind.SERVER,
    startTime: start,
    attributes: { 'http.response.status_code': 502, retried: true, ratio: 0.5, tags: ['a', 'b'] },
  });
  failing.setStatus({ code: api.SpanStatusCode.ERROR, message: 'gateway refused' });
  failing.end(start + 250);
  const client = tracer.startSpan('call gateway', { kind: api.SpanKind.CLIENT, startTime: start });
  client.end(start + 240);
  await provider.forceFlush();
  await provider.shutdown();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.equal(caught.length >= 1, true);
  return { bodies: caught.map((c) => c.body), type: caught[0]!.type };
}

function assertSpans(spans: ReceivedSpan[]) {
  const server = spans.find((s) => s.kind === 2);
  assert.ok(server, JSON.stringify(spans));
  assert.equal(server.service, 'checkout');
  assert.equal(server.name, 'POST /pay');
  assert.match(server.traceId, /^[0-9a-f]{32}$/);
  assert.match(server.spanId, /^[0-9a-f]{16}$/);
  assert.equal(server.startMs, Date.UTC(2026, 11, 2, 10, 0, 0));
  assert.equal(server.durationMs, 250);
  assert.equal(server.error, true);
  assert.equal(server.statusMessage, 'gateway refused');
  assert.deepEqual(server.attributes, {
    'http.response.status_code': '502',
    retried: 'true',
    ratio: '0.5',
    tags: '[array]',
  });
  const client = spans.find((s) => s.kind === 3);
  assert.equal(client?.error, false);
}

describe('OTLP decoding of what the OpenTelemetry SDK sends', () => {
  it('protobuf (exporter-trace-otlp-proto)', async () => {
    const { bodies, type } = await exported('proto');
    assert.equal(type, 'application/x-protobuf');
    const spans = bodies.flatMap((body) => {
      const decoded = decodeProtobufTraces(body);
      assert.ok(decoded.ok, JSON.stringify(decoded));
      return decoded.spans;
    });
    assertSpans(spans);
  });

  it('JSON (exporter-trace-otlp-http)', async () => {
    const { bodies, type } = await exported('json');
    assert.equal(type, 'application/json');
    const spans = bodies.flatMap((body) => {
      const decoded = decodeJsonTraces(body);
      assert.ok(decoded.ok, JSON.stringify(decoded));
      return decoded.spans;
    });
    assertSpans(spans);
  });

  it('refuses bytes that are not a message, naming what broke', () => {
    for (const [bytes, why] of [
      [Buffer.from([0x0a, 0x05, 0x01]), /runs past the end/],
      [Buffer.from([0x0b]), /wire type 3/],
      [Buffer.from([0x00, 0x01]), /a field numbered 0/],
      [
        Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        /longer than 10 bytes/,
      ],
    ] as const) {
      const decoded = decodeProtobufTraces(bytes);
      assert.equal(decoded.ok, false);
      if (!decoded.ok) assert.match(decoded.error, why);
    }
    assert.deepEqual(decodeProtobufTraces(Buffer.alloc(0)), { ok: true, spans: [] });
    const json = decodeJsonTraces(
      Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":1}]}]}]}'),
    );
    assert.equal(json.ok, false);
    if (!json.ok)
      assert.match(json.error, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: expected a span/);
    const notJson = decodeJsonTraces(Buffer.from('{'));
    assert.equal(notJson.ok, false);
  });
});

describe('TraceWindows', () => {
  const span = (fields: Partial<ReceivedSpan>): ReceivedSpan => ({
    service: 'checkout',
    traceId: 't'.repeat(32),
    spanId: 's'.repeat(16),
    name: 'GET /',
    kind: 2,
    startMs: 100_000,
    durationMs: 10,
    error: false,
    statusMessage: '',
    attributes: {},
    ...fields,
  });

  it('counts server spans in the window, their errors and a latency quantile; other kinds are not kept', () => {
    const windows = new TraceWindows();
    const now = 100_500;
    const spans = [
      ...Array.from({ length: 90 }, () => span({ durationMs: 8 })),
      ...Array.from({ length: 10 }, (_, i) =>
        span({ durationMs: 900, error: true, spanId: `f${i}` }),
      ),
      span({ kind: 3, error: true }),
    ];
    assert.deepEqual(windows.add(spans, now), { kept: 100, ignored: 1, dropped: 0 });
    const summary = windows.summary('checkout', 60, now);
    assert.equal(summary.requests, 100);
    assert.equal(summary.errors, 10);
    assert.equal(summary.errorRatio, 0.1);
    const p50 = summary.quantileMs(0.5) ?? 0;
    assert.ok(p50 > 5 && p50 <= 10, `p50 ${p50}`);
    const p99 = summary.quantileMs(0.99) ?? 0;
    assert.ok(p99 > 750 && p99 <= 1000, `p99 ${p99}`);
    assert.equal(summary.slowest[0]?.durationMs, 900);
    assert.equal(summary.failing.length, 3, 'a few failing spans per second are kept, not all');
    // 61 s later, every span has left a 60 s window.
    assert.equal(windows.summary('checkout', 60, now + 61_000).requests, 0);
    // A verify counts only the spans that started after it began.
    assert.equal(windows.summary('checkout', 60, now, 102_000).requests, 0);
  });

  it('stays bounded: seconds outside the longest window are pruned, services past the limit dropped', () => {
    const windows = new TraceWindows();
    let now = 1_000_000;
    for (let i = 0; i < 2000; i++) {
      now += 1000;
      windows.add([span({ startMs: now })], now);
    }
    assert.equal(windows.summary('checkout', 900, now).requests, 900);
    const many = Array.from({ length: MAX_SERVICES + 5 }, (_, i) =>
      span({ service: `s${i}`, startMs: now }),
    );
    const added = windows.add(many, now);
    assert.equal(added.dropped, 5 + 1, 'checkout already held a place');
    assert.equal(windows.stats().services, MAX_SERVICES);
  });
});
