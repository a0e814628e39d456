import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { REDACTED, Redactor } from '../../src/secrets/redactor.ts';

const SECRET = 'p@ss w/rd+"q"&=ü-17';

test('a secret is cut in plain text, and short values are left alone', () => {
  const redactor = new Redactor([SECRET, 'ab']);
  assert.equal(redactor.redact(`token ${SECRET}; ab`), 'token [redacted]; ab');
});

test('a secret is cut in base64: standard, URL-safe, unpadded, with echo’s newline, inside a longer value', () => {
  const redactor = new Redactor([SECRET]);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const url = (text: string) => Buffer.from(text).toString('base64url');
  for (const encoded of [
    b64(SECRET),
    b64(`${SECRET}\n`),
    url(SECRET),
    b64(SECRET).replace(/=+$/, ''),
  ]) {
    assert.equal(redactor.redact(`say ${encoded} end`), 'say [redacted] end', encoded);
  }
  // Basic auth: the secret at every alignment inside the encoded `user:secret`.
  for (const user of ['u', 'us', 'use']) {
    const out = redactor.redact(`Authorization: Basic ${b64(`${user}:${SECRET}`)}`);
    assert.match(out, /\[redacted\]/, user);
  }
});

test('a secret is cut in base64 wrapped over lines, as `base64` prints a long value', () => {
  const long = 'k'.repeat(20) + SECRET + 'z'.repeat(60);
  const redactor = new Redactor([long]);
  const wrapped = Buffer.from(long).toString('base64').replace(/.{76}/g, '$&\n');
  assert.ok(wrapped.includes('\n'));
  assert.equal(redactor.redact(wrapped), REDACTED);
});

test('a secret is cut URL-encoded by any encoder, and JSON-escaped', () => {
  const redactor = new Redactor([SECRET]);
  const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  for (const encoded of [
    encodeURIComponent(SECRET),
    lowerHex(encodeURIComponent(SECRET)),
    new URLSearchParams({ t: SECRET }).toString().slice(2),
    encodeURI(SECRET),
    JSON.stringify(SECRET).slice(1, -1),
  ]) {
    assert.equal(redactor.redact(`?t=${encoded}&x=1`), `?t=${REDACTED}&x=1`, encoded);
  }
});

test('what is left of a base64-encoded secret never decodes to the secret', () => {
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  fc.assert(
    fc.property(
      text,
      fc.string({ unit: 'binary', minLength: 4, maxLength: 24 }),
      text,
      (before, secret, after) => {
        const redactor = new Redactor([secret]);
        const encoded = Buffer.from(before + secret + after).toString('base64');
        const out = redactor.redact(encoded);
        assert.notEqual(out, encoded);
        for (const piece of out.split(REDACTED)) {
          for (let offset = 0; offset < 4; offset++) {
            const decoded = Buffer.from(piece.slice(offset), 'base64').toString();
            assert.equal(decoded.includes(secret), false, `${piece} at ${offset}`);
          }
        }
      },
    ),
  );
});
