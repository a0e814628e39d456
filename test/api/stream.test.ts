import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SseParser } from '../../src/support/sse-parser.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { call, type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/** Read the stream until `enough` says stop, then hang up; the events and the last id. */
async function readStream(
  mend: RunningMend,
  headers: Record<string, string>,
  query: string,
  enough: (events: { id: string; event: string; data: unknown }[]) => boolean,
  timeoutMs = 20_000,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(`${mend.base}/api/v1/stream${query}`, {
    headers: { authorization: `Bearer ${mend.tokens.viewer}`, ...headers },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
  const parser = new SseParser();
  const events: { id: string; event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) {
      for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
        events.push({ id: event.id ?? '', event: event.event, data: JSON.parse(event.data) });
      }
      if (enough(events)) break;
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, lastEventId: parser.lastEventId };
}

let mend: RunningMend;
before(async () => {
  mend = await startRunningMend();
});
after(async () => {
  await mend?.stop();
});

test('a reader that reconnects with Last-Event-ID misses nothing and sees nothing twice', async () => {
  // Something to stream: the check fails, an incident opens, the runbook runs, it recovers.
  mend.target.setStatus(503);
  await mend.mend.waitForLog(/^inc-1 api: heal:/, 20_000);
  const first = await readStream(mend, {}, '?after=0-0', (events) => events.length >= 2);
  assert.ok(first.events.length >= 2);
  assert.ok(first.lastEventId);
  mend.target.setStatus(200);
  await mend.mend.waitForLog(/^inc-1: .*resolved|^inc-1 api: .*recovered/, 20_000);

  // Until the incident recovered and the heal's run ended: both records, whatever their order.
  const done = (events: { data: unknown }[]) => {
    const text = JSON.stringify(events.map((e) => e.data));
    return text.includes('recovered after heal') && text.includes('inc-1:heal:1: run succeeded');
  };
  await mend.mend.waitForLog(/^runbook restart on api \(inc-1:heal:1\): succeeded/, 20_000);
  const rest = await readStream(mend, { 'last-event-id': first.lastEventId! }, '', done);
  const whole = await readStream(mend, {}, '?after=0-0', done);
  const ids = [...first.events, ...rest.events].map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'nothing twice');
  assert.deepEqual(ids, whole.events.map((e) => e.id).slice(0, ids.length), 'nothing missed');
  // Both records are in it: decisions and the runbook's steps, with the feed's lines.
  const kinds = new Set(whole.events.map((e) => e.event));
  assert.deepEqual([...kinds].sort(), ['decision', 'step']);
  const lines = whole.events.flatMap((e) =>
    (e.data as { lines: { text: string }[] }).lines.map((l) => l.text),
  );
  assert.ok(
    lines.some((l) => /^api\/live firing/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /inc-1:heal:1: steps 1 restart \(exec, attempt 1\) ok/.test(l)),
    lines.join('\n'),
  );
});

test('without a cursor the stream starts now; a bad cursor is a 400; an ingest token may not read it', async () => {
  const now = await readStream(mend, {}, '', () => true, 1500);
  assert.deepEqual(now.events, [], 'nothing from before the connection');
  assert.match(now.lastEventId ?? '', /^\d+-\d+$/);
  const bad = await call(mend.base, 'GET', '/api/v1/stream?after=yesterday', {
    token: mend.tokens.viewer,
  });
  assert.equal(bad.status, 400);
  const ingest = await call(mend.base, 'GET', '/api/v1/stream', { token: mend.tokens.ingest });
  assert.equal(ingest.status, 403);
});

test('mend tail prints the feed from the API, and says why when the token is refused', async () => {
  const tail = new MendProcess(['tail', '--url', mend.base, '--from-start'], {
    MEND_TOKEN: mend.tokens.viewer,
  });
  try {
    await waitFor(
      () =>
        /api\/live firing/.test(tail.stdout) && /inc-1:heal:1: steps 1 restart/.test(tail.stdout),
    );
  } finally {
    tail.kill('SIGINT');
  }
  assert.equal(await tail.exited, 0, tail.stderr);
  const refused = await runMend(['tail', '--url', mend.base], {
    env: { MEND_TOKEN: mend.tokens.ingest },
  });
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /the API refused the stream \(403\): a token with role ingest may not read/,
  );
  const none = await runMend(['tail', '--url', mend.base], { env: { MEND_TOKEN: '' } });
  assert.match(none.stderr, /no API token: set MEND_TOKEN or give --token-file/);
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
