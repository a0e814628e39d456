// `node bench/ingest/floor.ts`: the best ratio any HTTP receiver could reach in bench:ingest's
// 1x1 shape on this machine. A child process runs store.recordAlerts (one new alert, a fresh
// SQLite store, as the raw column does) either alone in a loop, or behind a bare node:http server
// (no Fastify, no token, no parsing: read the body, record, answer 200) that the same sequential
// undici client as bench/ingest/run.ts posts to. Then the same with no write at all (the HTTP
// floor). Runs interleaved, twice. See bench/README.md "Ingest".
//
//   node bench/ingest/floor.ts [--duration 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { openStore } from '../../src/store/open.ts';
import { records } from './payload.ts';

const { values } = parseArgs({
  strict: true,
  options: { duration: { type: 'string', default: '3' }, serve: { type: 'string' } },
});
const durationMs = Number(values.duration) * 1000;

if (values.serve !== undefined) {
  // The child: `alone` (recordAlerts in a loop), `record` or `none` (a bare HTTP server).
  const dir = mkdtempSync(join(tmpdir(), 'mend-bench-floor-'));
  const store = await openStore({ path: join(dir, 'floor.db') });
  if (values.serve === 'alone') {
    for (let i = 0; i < 300; i++) await store.recordAlerts(records(1, Date.now()));
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < durationMs) {
      await store.recordAlerts(records(1, Date.now()));
      n++;
    }
    process.stdout.write(`${((performance.now() - started) * 1000) / n}\n`);
  } else {
    const write = values.serve === 'record';
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', async () => {
        if (write) await store.recordAlerts(records(1, Date.now()));
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
        response.end('{}');
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      process.stdout.write(`${typeof address === 'object' ? address?.port : ''}\n`);
    });
    await new Promise((resolve) => process.once('SIGTERM', resolve));
    server.close();
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/** Microseconds per operation (alone) or per round trip (record, none). */
async function measure(mode: 'alone' | 'record' | 'none'): Promise<number> {
  const child = spawn(
    process.execPath,
    [import.meta.filename, '--serve', mode, '--duration', values.duration],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  if (mode === 'alone') {
    await new Promise((resolve) => child.once('exit', resolve));
    return Number(first);
  }
  const pool = new Pool(`http://127.0.0.1:${first}`, { connections: 1, pipelining: 1 });
  const body = JSON.stringify({ version: '4', alerts: [{}] }).padEnd(600);
  const headers = { 'content-type': 'application/json' };
  const post = async () => {
    const answer = await pool.request({ method: 'POST', path: '/', headers, body });
    await answer.body.text();
  };
  for (let i = 0; i < 300; i++) await post();
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < durationMs) {
    await post();
    n++;
  }
  const us = ((performance.now() - started) * 1000) / n;
  await pool.close();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return us;
}

for (let round = 1; round <= 2; round++) {
  const alone = await measure('alone');
  const record = await measure('record');
  const none = await measure('none');
  process.stdout.write(
    `round ${round}: recordAlerts alone ${alone.toFixed(0)} us; bare HTTP + recordAlerts ${record.toFixed(0)} us per round trip; bare HTTP, no write ${none.toFixed(0)} us; ` +
      `best 1x1 ratio ${(alone / record).toFixed(2)} (the round trip adds ${(record - alone - none).toFixed(0)} us beyond the write and the HTTP floor)\n`,
  );
}
