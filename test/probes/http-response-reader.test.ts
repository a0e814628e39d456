import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type BodyPlan,
  type ResponseHead,
  ResponseReader,
} from '../../src/signals/probes/http-response-reader.ts';

const keepAll = (): BodyPlan => ({ limit: 1 << 20, wait: true });

interface Read {
  head: ResponseHead | undefined;
  body: string;
  complete: boolean;
  done: boolean;
  error: string | undefined;
}

function read(
  pieces: (string | Buffer)[],
  options: { head?: boolean; plan?: () => BodyPlan; eof?: boolean } = {},
): Read {
  const reader = new ResponseReader(options.head ?? false, options.plan ?? keepAll);
  for (const piece of pieces) {
    reader.push(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
    if (reader.done) break;
  }
  if (options.eof) reader.end();
  return {
    head: reader.head,
    body: reader.body().toString('latin1'),
    complete: reader.complete,
    done: reader.done,
    error: reader.error,
  };
}

/** Every way of cutting `text` into pieces gives the same answer as reading it whole. */
function assertSplitInvariant(text: string, options: { eof?: boolean } = {}): Read {
  const whole = read([text], options);
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(read([text.slice(0, cut), text.slice(cut)], options), whole, `cut at ${cut}`);
  }
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: text.length }), { maxLength: 12 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const pieces = [0, ...points].map((start, i) => text.slice(start, points[i] ?? text.length));
      assert.deepEqual(
        read(
          pieces.filter((p) => p !== ''),
          options,
        ),
        whole,
      );
    }),
  );
  return whole;
}

const LENGTH_RESPONSE =
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-Other: 1\r\n\r\nhello world';

test('reader: a Content-Length body, however the bytes arrive', () => {
  const result = assertSplitInvariant(LENGTH_RESPONSE);
  assert.deepEqual(result, {
    head: {
      status: 200,
      contentType: 'text/plain',
      location: undefined,
      framing: 'length',
      contentLength: 11,
    },
    body: 'hello world',
    complete: true,
    done: true,
    error: undefined,
  });
});

test('reader: a chunked body with extensions and trailers, however the bytes arrive', () => {
  const text =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n';
  const result = assertSplitInvariant(text);
  assert.equal(result.body, 'hello 0123456789');
  assert.equal(result.complete, true);
  assert.equal(result.head?.framing, 'chunked');
});

test('reader: a body delimited by the connection closing', () => {
  const result = assertSplitInvariant(
    'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>up</p>',
    {
      eof: true,
    },
  );
  assert.equal(result.body, '<p>up</p>');
  assert.equal(result.complete, true);
  assert.equal(result.head?.framing, 'close');
});

test('reader: HEAD, 204 and 304 have no body whatever their headers say', () => {
  const head = read(['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'], { head: true });
  assert.equal(head.done && head.complete, true);
  assert.equal(head.head?.framing, 'none');
  for (const status of [204, 304]) {
    const answer = read([`HTTP/1.1 ${status} X\r\nTransfer-Encoding: chunked\r\n\r\n`]);
    assert.equal(answer.done && answer.complete, true);
  }
  const empty = read(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']);
  assert.equal(empty.done && empty.complete, true);
});

test('reader: interim 100 and 103 answers are skipped', () => {
  const text =
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' +
    LENGTH_RESPONSE;
  const result = assertSplitInvariant(text);
  assert.equal(result.head?.status, 200);
  assert.equal(result.body, 'hello world');
});

test('reader: bare LF line endings are tolerated', () => {
  const result = read(['HTTP/1.1 503 Unavailable\nContent-Length: 4\n\ndown']);
  assert.equal(result.head?.status, 503);
  assert.equal(result.body, 'down');
});

test('reader: something that is not HTTP is rejected from its first bytes', () => {
  assert.equal(
    read(['SSH-2.0-OpenSSH_9.6\r\n']).error,
    'not an HTTP response: "SSH-2.0-OpenSSH_9.6\\r\\n"',
  );
  assert.equal(read(['S']).error, 'not an HTTP response: "S"');
  assert.equal(read(['HTTP/1.1 abc\r\n\r\n']).error, 'not an HTTP response: "HTTP/1.1 abc"');
});

test('reader: the body limit keeps a prefix and stops', () => {
  const limited = read([LENGTH_RESPONSE], { plan: () => ({ limit: 5, wait: true }) });
  assert.deepEqual([limited.body, limited.complete, limited.done], ['hello', false, true]);
  const chunked = read(
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '4\r\nabcd\r\n', '4\r\nefgh\r\n'],
    {
      plan: () => ({ limit: 6, wait: true }),
    },
  );
  assert.deepEqual([chunked.body, chunked.complete, chunked.done], ['abcdef', false, true]);
});

test('reader: without waiting, only the bytes that came with the headers are kept', () => {
  const plan = () => ({ limit: 100, wait: false });
  const partial = read(['HTTP/1.1 503 X\r\nContent-Length: 100\r\n\r\npart', 'never read'], {
    plan,
  });
  assert.deepEqual([partial.body, partial.complete, partial.done], ['part', false, true]);
  const whole = read([LENGTH_RESPONSE], { plan });
  assert.deepEqual([whole.body, whole.complete], ['hello world', true]);
});

test('reader: a connection closed early is an error that says where', () => {
  assert.equal(
    read([], { eof: true }).error,
    'the server closed the connection without sending a response',
  );
  assert.equal(
    read(['HTTP/1.1 200 OK\r\nContent-'], { eof: true }).error,
    'the server closed the connection in the middle of the response headers',
  );
  assert.equal(
    read(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], { eof: true }).error,
    'the server closed the connection after 3 of 10 body bytes',
  );
});

test('reader: broken framing is reported, not guessed', () => {
  assert.equal(
    read(['HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n']).error,
    'invalid Content-Length: "ten"',
  );
  assert.equal(
    read(['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n']).error,
    'conflicting Content-Length headers: 1, 2',
  );
  assert.equal(
    read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']).error,
    'invalid chunk size "zz"',
  );
  const huge = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}`;
  assert.equal(read([huge]).error, 'response headers larger than 64 KiB');
});

test('reader: Transfer-Encoding decides framing over Content-Length', () => {
  const gzip = read(
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabcdef'],
    { eof: true },
  );
  assert.deepEqual([gzip.head?.framing, gzip.body], ['close', 'abcdef']);
  const both = read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n']);
  assert.deepEqual([both.head?.framing, both.complete], ['chunked', true]);
});
