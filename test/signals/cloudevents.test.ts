import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTP, CloudEvent as SdkEvent } from 'cloudevents';
import { MAX_BATCH_EVENTS, parseCloudEvents } from '../../src/signals/sources/cloudevents.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const STRUCTURED = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
const BATCH = { 'content-type': 'application/cloudevents-batch+json' };
const base = { specversion: '1.0', id: 'e-1', source: '/checkout', type: 'com.example.error' };

/** Headers as Node gives them to a server: names in lower case. */
const lower = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

describe('parseCloudEvents: what the CloudEvents SDK sends', () => {
  const sdk = new SdkEvent({
    type: 'com.example.checkout.error',
    source: 'https://checkout.example/api',
    subject: 'pod/checkout-7f9',
    time: '2026-12-02T10:00:00.000Z',
    severity: 'critical',
    data: { status: 'failing', errors: 12 },
  });

  it('binary mode: attributes from ce-* headers, JSON data from the body', () => {
    const message = HTTP.binary(sdk);
    const parsed = parseCloudEvents(lower(message.headers), Buffer.from(String(message.body)));
    assert.equal(parsed.ok, true, JSON.stringify(parsed));
    if (!parsed.ok) return;
    assert.equal(parsed.mode, 'binary');
    const [event] = parsed.events;
    assert.equal(event?.id, sdk.id);
    assert.equal(event?.type, 'com.example.checkout.error');
    assert.equal(event?.source, 'https://checkout.example/api');
    assert.equal(event?.subject, 'pod/checkout-7f9');
    assert.equal(event?.time, '2026-12-02T10:00:00.000Z');
    assert.deepEqual(event?.extensions, { severity: 'critical' });
    assert.deepEqual(event?.data, { status: 'failing', errors: 12 });
  });

  it('structured mode: the event is the body', () => {
    const message = HTTP.structured(sdk);
    const parsed = parseCloudEvents(lower(message.headers), Buffer.from(String(message.body)));
    assert.equal(parsed.ok, true, JSON.stringify(parsed));
    if (!parsed.ok) return;
    assert.equal(parsed.mode, 'structured');
    assert.equal(parsed.events[0]?.subject, 'pod/checkout-7f9');
    assert.deepEqual(parsed.events[0]?.extensions, { severity: 'critical' });
    assert.deepEqual(parsed.events[0]?.data, { status: 'failing', errors: 12 });
  });
});

describe('parseCloudEvents: modes and bad input', () => {
  it('batch mode: each event of the array, in order; an empty batch is no event', () => {
    const parsed = parseCloudEvents(
      BATCH,
      json([base, { ...base, id: 'e-2', data_base64: 'AAE=' }]),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.events.map((e) => [e.id, e.data]),
      [
        ['e-1', undefined],
        ['e-2', 'AAE='],
      ],
    );
    const empty = parseCloudEvents(BATCH, json([]));
    assert.ok(empty.ok);
    assert.deepEqual(empty.events, []);
  });

  it('binary mode: percent-encoded header values are decoded; text data stays text', () => {
    const parsed = parseCloudEvents(
      {
        'ce-specversion': '1.0',
        'ce-id': '7',
        'ce-source': '/jobs',
        'ce-type': 'job.failed',
        'ce-subject': 'nightly%20backup%20%E2%9C%93',
        'content-type': 'text/plain',
      },
      Buffer.from('disk full'),
    );
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.events[0]?.subject, 'nightly backup ✓');
    assert.equal(parsed.events[0]?.data, 'disk full');
    assert.equal(parsed.events[0]?.datacontenttype, 'text/plain');
  });

  const refusals: [string, Record<string, string>, Buffer, number, RegExp][] = [
    [
      'no CloudEvent at all',
      { 'content-type': 'application/json' },
      json(base),
      415,
      /expected a CloudEvent: Content-Type application\/cloudevents\+json .* found Content-Type application\/json and no ce-specversion header/,
    ],
    ['no content type', {}, json(base), 415, /found Content-Type \(none\)/],
    ['malformed JSON', STRUCTURED, Buffer.from('{"id": '), 400, /^the body is not JSON: /],
    [
      'an array in structured mode',
      STRUCTURED,
      json([base]),
      400,
      /^the event: expected a JSON object, found an array/,
    ],
    [
      'an object in batch mode',
      BATCH,
      json(base),
      400,
      /^expected a JSON array of events in batch mode, found a object/,
    ],
    [
      'a missing id',
      STRUCTURED,
      json({ ...base, id: undefined }),
      400,
      /^the event: id is required, a non-empty string; found nothing/,
    ],
    [
      'an empty source',
      STRUCTURED,
      json({ ...base, source: '' }),
      400,
      /source is required, a non-empty string; found an empty string/,
    ],
    [
      'a number as type',
      STRUCTURED,
      json({ ...base, type: 5 }),
      400,
      /type is required, a non-empty string; found a number/,
    ],
    [
      'another specversion',
      STRUCTURED,
      json({ ...base, specversion: '0.3' }),
      400,
      /specversion must be "1.0" \(CloudEvents 1.0\), found "0.3"/,
    ],
    [
      'a time that is not RFC 3339',
      STRUCTURED,
      json({ ...base, time: 'yesterday' }),
      400,
      /time must be an RFC 3339 timestamp, found "yesterday"/,
    ],
    [
      'data and data_base64',
      STRUCTURED,
      json({ ...base, data: 1, data_base64: 'AA==' }),
      400,
      /has both data and data_base64/,
    ],
    [
      'an object as an extension',
      STRUCTURED,
      json({ ...base, team: { a: 1 } }),
      400,
      /^the event\.team: expected a string, number or boolean for an extension attribute, found a object/,
    ],
    [
      'an extension name with capitals',
      STRUCTURED,
      json({ ...base, Team: 'a' }),
      400,
      /the event\.Team: an extension attribute's name is lower-case letters and digits/,
    ],
    [
      'a bad event inside a batch',
      BATCH,
      json([base, { ...base, id: '' }]),
      400,
      /^events\[1\]: id is required/,
    ],
    [
      'binary JSON data that is not JSON',
      {
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': 's',
        'ce-type': 't',
        'content-type': 'application/json',
      },
      Buffer.from('{'),
      400,
      /^the data is not JSON/,
    ],
    [
      'binary without ce-id',
      { 'ce-specversion': '1.0', 'ce-source': 's', 'ce-type': 't' },
      Buffer.alloc(0),
      400,
      /^the ce-\* headers: id is required/,
    ],
    [
      'binary ce-datacontenttype',
      {
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': 's',
        'ce-type': 't',
        'ce-datacontenttype': 'x',
      },
      Buffer.alloc(0),
      400,
      /in binary mode the Content-Type header says it/,
    ],
    [
      'a bad percent-encoding',
      { 'ce-specversion': '1.0', 'ce-id': '%E2%9C', 'ce-source': 's', 'ce-type': 't' },
      Buffer.alloc(0),
      400,
      /header ce-id: not valid percent-encoding/,
    ],
  ];
  for (const [name, headers, body, status, message] of refusals) {
    it(`refuses ${name} with ${status}, saying why`, () => {
      const parsed = parseCloudEvents(headers, body);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.status, status);
      assert.match(parsed.error, message);
    });
  }

  it(`refuses a batch of more than ${MAX_BATCH_EVENTS} events`, () => {
    const many = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => ({
      ...base,
      id: `e-${i}`,
    }));
    const parsed = parseCloudEvents(BATCH, json(many));
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error, /at most 1000 events, found 1001/);
  });
});
