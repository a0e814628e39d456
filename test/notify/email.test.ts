import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  FAST,
  loadYaml,
  memoryStore,
  noReport,
  notifier,
  page,
  port,
  resolvePage,
  seedIncident,
  timelineOf,
} from './fixtures.ts';
import { parseMail, type SmtpReceiver, startSmtpReceiver } from './smtp-receiver.ts';

let smtp: SmtpReceiver;
let dir: string;
before(async () => {
  smtp = await startSmtpReceiver({ user: 'mend', password: 'smtp-pa55word' });
  dir = await mkdtemp(join(tmpdir(), 'mend-email-'));
});
after(async () => {
  await smtp.close();
  await rm(dir, { recursive: true, force: true });
});

async function emailConfig(passwordFile: string) {
  return loadYaml(
    notifier(
      'mail',
      [
        '  email:',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        '    security: starttls',
        `    caFile: ${smtp.caFile}`,
        `    auth: {user: mend, password: {valueFrom: {file: ${passwordFile}}}}`,
        '    from: mend <mend@example.com>',
        '    to: [oncall@example.com, "Ops <ops@example.com>"]',
        FAST,
      ].join('\n'),
    ),
  );
}

test('email: a page and its resolve reach a real SMTP server over STARTTLS with AUTH, as text and HTML', async () => {
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, 'smtp-pa55word\n');
  const store = await memoryStore();
  await seedIncident(store);
  const p = port(store, await emailConfig(passwordFile));
  await p.dispatch(page(['mail']), noReport);
  await p.dispatch(resolvePage(), noReport);

  const [paged, resolved] = await smtp.waitFor(2);
  assert.equal(paged!.secure, true);
  assert.equal(paged!.user, 'mend');
  assert.equal(paged!.from, 'mend@example.com');
  assert.deepEqual(paged!.to, ['oncall@example.com', 'ops@example.com']);
  const mail = parseMail(paged!.raw);
  assert.equal(
    mail.headers.get('subject'),
    '[mend] Page: api: 3 consecutive failures: connect ECONNREFUSED (inc-1)',
  );
  assert.equal(mail.headers.get('x-mend-key'), 'inc-1:page:1');
  assert.match(mail.headers.get('content-type')!, /^multipart\/alternative/);
  const text = mail.parts.get('text/plain')!;
  assert.match(text, /^Page: api: 3 consecutive failures/);
  assert.match(text, /Service: {3}api\nIncident: {2}inc-1\nAttempts: {2}2/);
  assert.match(text, /Reason \(breaker-open\): attempt 4 of 3 within 1h/);
  assert.match(text, /Evidence:\napi\/live firing since/);
  assert.match(text, /Timeline:\n.*opened: api/);
  const html = mail.parts.get('text/html')!;
  assert.match(html, /<h2>Page: api: 3 consecutive failures: connect ECONNREFUSED<\/h2>/);
  assert.match(html, /<h3>Evidence<\/h3><pre>/);
  assert.equal(
    parseMail(resolved!.raw).headers.get('subject'),
    '[mend] Resolved: api: every signal resolved after 5m: healthy again (inc-1)',
  );
  await store.close();
});

test('email: a refused login is terminal: one attempt, recorded as failed', async () => {
  const passwordFile = join(dir, 'wrong');
  await writeFile(passwordFile, 'not-the-password');
  const store = await memoryStore();
  await seedIncident(store);
  const before = smtp.mails.length;
  await port(store, await emailConfig(passwordFile)).dispatch(page(['mail']), noReport);
  assert.equal(smtp.mails.length, before);
  const failed = (await timelineOf(store)).at(-1)!;
  assert.equal(failed.type, 'notification-failed');
  const payload = failed.payload as { attempts: number; error: string };
  assert.equal(payload.attempts, 1);
  assert.match(payload.error, /^SMTP 127\.0\.0\.1:\d+ refused: 535 Invalid username or password$/);
  assert.doesNotMatch(JSON.stringify(failed), /not-the-password/);
  await store.close();
});
