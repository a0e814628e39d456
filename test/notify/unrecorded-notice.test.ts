import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downNotice, exitNotice, recoveredNotice } from '../../src/decisions/outage-notices.ts';
import { notificationSchema } from '../../src/notify/notification.ts';
import { sendUnrecordedNotice } from '../../src/notify/unrecorded-notice.ts';
import { captureLog, loadYaml, notifierOf, T0 } from './fixtures.ts';
import { startReceiver } from './http-receiver.ts';

const outage = {
  since: T0,
  reason: 'store /x/mend.db is full (SQLITE_FULL: database or disk is full): free space',
  exitAt: T0 + 60_000,
  mostHeld: 12,
};

test('a store outage is told to every notifier without the store; a failed one is said, not thrown', async () => {
  const ok = await startReceiver(() => ({ status: 202 }));
  const broken = await startReceiver(() => ({ status: 400, body: 'no' }));
  try {
    const config = await loadYaml(
      notifierOf('oncall', 'webhook', { url: `${ok.url}/hook` }) +
        notifierOf('chat', 'webhook', { url: `${broken.url}/hook` }),
    );
    const { log, lines } = captureLog();
    const down = downNotice('/x/mend.db', outage, { signals: 3, outcomes: 0 });
    const sent = await sendUnrecordedNotice(config.notifiers, down, { log, now: () => T0 + 5 });
    assert.deepEqual(sent, { delivered: ['oncall'], failed: ['chat'] });
    const body = notificationSchema.parse(ok.requests[0]?.body);
    assert.equal(body.event, 'page');
    assert.equal(body.key, down.key);
    assert.match(body.dedupKey, /^store-outage:[0-9a-f]{12}$/);
    assert.deepEqual(body.incidents, []);
    assert.match(body.summary, /^mend cannot record in its store \/x\/mend\.db: /);
    assert.deepEqual(body.reason?.numbers, { since: T0, exitAt: T0 + 60_000, heldSignals: 3 });
    assert.ok(lines.some((line) => /chat \(webhook\) failed: /.test(line)));

    // The exit page and the resolve keep the page's dedupKey (one alert), each its own key.
    const exit = exitNotice('/x/mend.db', outage, { signals: 7, outcomes: 1 }, T0 + 61_000);
    const over = recoveredNotice('/x/mend.db', outage, T0 + 30_000);
    assert.deepEqual(new Set([down.dedupKey, exit.dedupKey, over.dedupKey]).size, 1);
    assert.equal(new Set([down.key, exit.key, over.key]).size, 3);
    assert.equal(over.event, 'resolve');
    assert.match(exit.summary, /not recorded: 7 signal\(s\), 1 heal outcome\(s\)$/);
    assert.match(
      exit.reason.message,
      /^not recorded at exit: 7 signal\(s\), 1 heal outcome\(s\) \(the next start probes again/,
    );
  } finally {
    await ok.close();
    await broken.close();
  }
});
