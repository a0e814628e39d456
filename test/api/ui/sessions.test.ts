import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCookie, sessionCookie } from '../../../src/api/ui/cookies.ts';
import { csrfMatches, SessionStore } from '../../../src/api/ui/sessions.ts';

const who = { tokenName: 'alice', role: 'operator' as const };

test('a session lives until its time is up, or until it is ended', () => {
  const store = new SessionStore(1000);
  const session = store.create('mend_secret', who, 10_000);
  assert.equal(store.get(session.id, 10_999)?.tokenName, 'alice');
  assert.equal(store.get(session.id, 11_000), undefined, 'expired at its end');
  assert.equal(store.size, 0, 'and forgotten');
  const other = store.create('mend_secret', who, 20_000);
  store.end(other.id);
  assert.equal(store.get(other.id, 20_001), undefined);
  assert.equal(store.get(undefined, 20_001), undefined);
});

test('ids and CSRF tokens are random, distinct, and compared whole', () => {
  const store = new SessionStore();
  const a = store.create('t', who, 0);
  const b = store.create('t', who, 0);
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.id, a.csrf);
  assert.match(a.id, /^[\w-]{43}$/);
  assert.equal(csrfMatches(a, a.csrf), true);
  assert.equal(csrfMatches(a, b.csrf), false);
  assert.equal(csrfMatches(a, a.csrf.slice(0, -1)), false);
  assert.equal(csrfMatches(a, undefined), false);
  assert.equal(csrfMatches(a, [a.csrf]), false);
});

test('the cookie: read by name among others; Secure only when asked', () => {
  assert.equal(readCookie('a=1; mend_session=xyz; b=2', 'mend_session'), 'xyz');
  assert.equal(readCookie('mend_session_x=1', 'mend_session'), undefined);
  assert.equal(readCookie(undefined, 'mend_session'), undefined);
  assert.match(sessionCookie('v', { secure: true, maxAgeMs: 5000 }), /; Max-Age=5; Secure$/);
  assert.doesNotMatch(sessionCookie('v', { secure: false, maxAgeMs: 5000 }), /Secure/);
});
