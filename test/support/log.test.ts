import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '../../src/support/log.ts';
import { ATTACK, ATTACK_SHOWN, RAW_CONTROL } from '../helpers/terminal.ts';

const run = promisify(execFile);
const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

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

test('pretty lines show what a log line quotes: escape sequences, a newline, a C1 control in a field', async () => {
  // A real process whose stdout is a pipe, as a terminal would get it (pretty is forced).
  const logger = fileURLToPath(new URL('../../src/support/log.ts', import.meta.url));
  const script = `import(${JSON.stringify(logger)}).then(({ createLogger }) => {
    createLogger({ pretty: true }).warn({ detail: 'x\\u009b31m', n: 1 }, ${JSON.stringify(`probe said: line one\n${ATTACK}`)});
  })`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    env: { ...process.env, CI: 'true' },
  });
  assert.equal(RAW_CONTROL.test(stdout), false, JSON.stringify(stdout));
  const lines = stdout.trimEnd().split('\n');
  assert.match(
    lines[0]!,
    new RegExp(`WARN: probe said: line one\\\\n${escapeRegExp(ATTACK_SHOWN)}$`),
  );
  assert.match(stdout, /detail: "x\\u009b31m"/);
});

test("mend's own text of several lines (LINES) keeps its line breaks in pretty output; its other controls still show", async () => {
  const logger = fileURLToPath(new URL('../../src/support/log.ts', import.meta.url));
  const script = `import(${JSON.stringify(logger)}).then(({ createLogger, LINES }) => {
    createLogger({ pretty: true }).info(LINES, ${JSON.stringify(`mend running: 2 services\n  store: x.db\n  ${ATTACK}`)});
  })`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    env: { ...process.env, CI: 'true' },
  });
  assert.equal(RAW_CONTROL.test(stdout), false, JSON.stringify(stdout));
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /INFO: mend running: 2 services$/);
  assert.equal(lines[1], '  store: x.db');
  assert.equal(lines[2], `  ${ATTACK_SHOWN}`);
  assert.doesNotMatch(stdout, /lines: true/, 'the marker is not printed');
});
