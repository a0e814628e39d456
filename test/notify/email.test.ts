import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emailFixture } from './contract/email.ts';
import { withTarget } from './contract.ts';
import { loadYaml, noReport, notifierOf, page, resolvePage, withPort } from './fixtures.ts';
import { parseMail } from './smtp-receiver.ts';

// What every kind shares (retries, refusals such as a wrong password, timeouts, redaction) is in
// the contract suite; here: SMTP's own wire format, STARTTLS, AUTH and the message.

test('email: a page and its resolve reach a real SMTP server over STARTTLS with AUTH, as text and HTML', () =>
  withTarget(emailFixture, 'accept', async ({ spec, smtp }) => {
    const config = await loadYaml(notifierOf('mail', 'email', spec));
    await withPort(config, {}, async ({ port }) => {
      await port.dispatch(page(['mail']), noReport);
      await port.dispatch(resolvePage(), noReport);
    });

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
  }));
