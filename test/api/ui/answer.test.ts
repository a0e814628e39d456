import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerKind } from '../../../src/api/ui/actions.ts';
import { answer } from '../../../src/api/ui/layout.ts';

const got = (status: number, body: unknown) => ({ status, body, text: JSON.stringify(body) });

test("an action's answer as the API gave it: applied, recorded but pending, or refused", () => {
  assert.equal(answerKind(got(200, { request: 3, status: 'applied' })), 'applied');
  assert.equal(answerKind(got(201, { run: 'inc-2:heal:1' })), 'applied');
  // The decision loop could not take it now: recorded, and taken later. Not a refusal.
  assert.equal(answerKind(got(503, { detail: 'recorded as request 4', request: 4 })), 'pending');
  assert.equal(
    answerKind(got(503, { detail: 'store down' })),
    'refused',
    'no request: nothing kept',
  );
  assert.equal(answerKind(got(409, { detail: 'rejected', request: 5 })), 'refused');
  assert.equal(answerKind(got(403, { detail: 'role viewer' })), 'refused');
  assert.equal(
    answer('pending', 'recorded as request 4').text,
    '<p class="answer pending" role="status">Recorded, not applied yet: recorded as request 4</p>',
  );
  assert.match(answer('refused', '<b>').text, /Refused: &lt;b&gt;/);
});
