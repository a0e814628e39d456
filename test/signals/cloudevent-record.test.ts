import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../src/config/config.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { eventRecord } from '../../src/signals/sources/cloudevent-record.ts';
import type { CloudEvent } from '../../src/signals/sources/cloudevents.ts';

const SERVICES = `apiVersion: mend/v1
kind: Service
metadata: {name: checkout}
spec:
  events:
    - type: [com.example.checkout.error, com.example.checkout.recovered]
      source: /checkout
      when: 'event.type == "com.example.checkout.recovered" || data.errors > 10'
      resolvedWhen: 'event.type == "com.example.checkout.recovered"'
---
apiVersion: mend/v1
kind: Service
metadata: {name: jobs}
spec:
  events:
    - subject: nightly-backup
---
apiVersion: mend/v1
kind: Service
metadata: {name: everything}
spec:
  events:
    - source: /checkout
`;

const event = (fields: Partial<CloudEvent>): CloudEvent => ({
  specversion: '1.0',
  id: 'e-1',
  source: '/checkout',
  type: 'com.example.checkout.error',
  extensions: {},
  ...fields,
});

describe('eventRecord: which Service an event is about, and whether it resolves', () => {
  let dir: string;
  let config: Config;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mend-events-'));
    const file = join(dir, 'services.yaml');
    await writeFile(file, SERVICES);
    const loaded = await loadMendConfig([file]);
    if (!loaded.config) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
    config = loaded.config;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('the first Service in config order whose entry selects it, by type, source and CEL on data', () => {
    const many = eventRecord(config.services, event({ data: { errors: 12 } }), 1000);
    assert.equal(many.service, 'checkout');
    assert.equal(many.status, 'firing');
    // Too few errors for checkout's condition: the next Service that selects the source takes it.
    const few = eventRecord(config.services, event({ data: { errors: 2 } }), 1000);
    assert.equal(few.service, 'everything');
    // No data: checkout's CEL cannot read data.errors and does not select it.
    assert.equal(eventRecord(config.services, event({}), 1000).service, 'everything');
    assert.equal(
      eventRecord(config.services, event({ source: '/other', subject: 'nightly-backup' }), 1000)
        .service,
      'jobs',
    );
    const none = eventRecord(config.services, event({ source: '/other' }), 1000);
    assert.equal(none.service, undefined, 'selected by no Service: kept as unmatched');
  });

  it('a resolving event is about the same condition as the one it resolves: source and subject', () => {
    const failing = eventRecord(
      config.services,
      event({ subject: 'pod-1', time: '2026-12-02T10:00:00Z', data: { errors: 50 } }),
      Date.parse('2026-12-02T10:00:05Z'),
    );
    const recovered = eventRecord(
      config.services,
      event({
        id: 'e-2',
        type: 'com.example.checkout.recovered',
        subject: 'pod-1',
        time: '2026-12-02T10:03:00Z',
      }),
      Date.parse('2026-12-02T10:03:01Z'),
    );
    assert.equal(recovered.service, 'checkout');
    assert.equal(recovered.status, 'resolved');
    assert.equal(recovered.fingerprint, failing.fingerprint);
    assert.equal(
      failing.startsAt,
      Date.parse('2026-12-02T10:00:00Z'),
      'the event’s time, not receipt',
    );
    assert.equal(recovered.endsAt, Date.parse('2026-12-02T10:03:00Z'));
    const otherPod = eventRecord(
      config.services,
      event({ subject: 'pod-2', data: { errors: 50 } }),
      1,
    );
    assert.notEqual(otherPod.fingerprint, failing.fingerprint);
  });

  it('without resolvedWhen, a status extension or data.status of resolved/ok/cleared/recovered resolves', () => {
    const jobs = (fields: Partial<CloudEvent>) =>
      eventRecord(
        config.services,
        event({ source: '/cron', subject: 'nightly-backup', ...fields }),
        1,
      );
    assert.equal(jobs({ data: { status: 'failed' } }).status, 'firing');
    assert.equal(jobs({ data: { status: 'OK' } }).status, 'resolved');
    assert.equal(jobs({ extensions: { status: 'cleared' } }).status, 'resolved');
    assert.equal(
      jobs({ extensions: { status: 'firing' }, data: { status: 'ok' } }).status,
      'firing',
      'the extension wins',
    );
  });

  it('labels carry the attributes and extensions; annotations the id, a summary and the data, bounded', () => {
    const record = eventRecord(
      config.services,
      event({
        subject: 'pod-1',
        extensions: { severity: 'critical' },
        data: { errors: 11, blob: 'x'.repeat(10_000) },
      }),
      1,
    );
    assert.deepEqual(record.labels, {
      ce_severity: 'critical',
      ce_type: 'com.example.checkout.error',
      ce_source: '/checkout',
      ce_subject: 'pod-1',
    });
    assert.equal(record.annotations.id, 'e-1');
    assert.equal(
      record.annotations.summary,
      'com.example.checkout.error from /checkout about pod-1',
    );
    assert.ok((record.annotations.data ?? '').length <= 4097);
    assert.equal(record.source, 'cloudevents');
  });
});

describe('Service events at load', () => {
  it('a CEL condition that does not type-check is a config error at its field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-events-bad-'));
    try {
      const file = join(dir, 's.yaml');
      await writeFile(
        file,
        `apiVersion: mend/v1\nkind: Service\nmetadata: {name: a}\nspec:\n  events:\n    - when: 'event.nope == "x"'\n      resolvedWhen: '1 + 1'\n`,
      );
      const loaded = await loadMendConfig([file]);
      assert.equal(loaded.config, undefined);
      const lines = loaded.errors.map((e) => e.format());
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.match(
        lines[0]!,
        /s\.yaml:6:\d+: spec\.events\[0\]\.when: expected a CEL condition over event and data that yields bool, found an error: No such key: nope/,
      );
      assert.match(lines[1]!, /spec\.events\[0\]\.resolvedWhen: .*it yields int, not bool/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
