import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SseParser } from '../../src/support/sse-parser.ts';

const STREAM =
  'retry: 1000\nid: 0-0\n: a comment\n\nid: 3-1\nevent: decision\ndata: {"a":1}\n\n' +
  'event: step\r\ndata:first\r\ndata: second\r\nid: 4-1\r\n\r\nid\n\n';

test('events, comments, ids and multi-line data, with LF and CRLF line ends', () => {
  const parser = new SseParser();
  const events = parser.push(STREAM);
  assert.deepEqual(events, [
    { id: '3-1', event: 'decision', data: '{"a":1}' },
    { id: '4-1', event: 'step', data: 'first\nsecond' },
  ]);
  // `id` with no value resets the last id: a reconnect then sends none.
  assert.equal(parser.lastEventId, '');
});

test('split anywhere, the same events come out', () => {
  const whole = new SseParser().push(STREAM);
  fc.assert(
    fc.property(fc.array(fc.nat(STREAM.length), { maxLength: 8 }), (cuts) => {
      const parser = new SseParser();
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const events = [];
      let from = 0;
      for (const point of [...points, STREAM.length]) {
        events.push(...parser.push(STREAM.slice(from, point)));
        from = point;
      }
      assert.deepEqual(events, whole);
    }),
  );
});
