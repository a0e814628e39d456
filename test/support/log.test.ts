import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/support/log.ts';

function logged(level: string, err: Error): Record<string, unknown> {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  createLogger({ level, pretty: false, destination: out }).error({ err }, 'cannot record');
  return JSON.parse(lines.join('').trim()).err;
}

test('errors are logged with their type, message, code and causes; stacks only at debug', () => {
  const cause = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  const err = new Error('cannot record the signal', { cause });
  assert.deepEqual(logged('info', err), {
    type: 'Error',
    message: 'cannot record the signal',
    cause: { type: 'Error', message: 'database or disk is full', code: 'SQLITE_FULL' },
  });
  assert.match(String(logged('debug', err).stack), /^Error: cannot record the signal\n\s+at /);
});
