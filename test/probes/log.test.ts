import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { generateToken } from '../../src/secrets/api-token.ts';
import { TRUNCATION_MARKER } from '../../src/signals/observation.ts';
import { logProbe, logProbeSpec } from '../../src/signals/probes/log.ts';
import type { Probe } from '../../src/signals/probes/probe-kind.ts';
import { probeContext, runProbe } from './helpers.ts';

/** Every probe a test prepared, released after it as the scheduler would. */
const prepared: Probe[] = [];
const prepare = (spec: Record<string, unknown>, resume?: unknown) => {
  const probe = logProbe.prepare(logProbeSpec.parse(spec), resume);
  prepared.push(probe);
  return probe;
};
afterEach(() => {
  for (const probe of prepared.splice(0)) probe.release?.();
});

describe('log probe', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mend-log-probe-'));
    path = join(dir, 'app.log');
    await writeFile(path, 'ERROR from before mend started\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes until matches within the window reach the threshold, then fails with the lines', async () => {
    const probe = prepare({ path, pattern: 'ERROR|panic', threshold: 3, windowSeconds: 60 });
    const first = await runProbe(probe);
    assert.equal(first.ok, true, 'lines from before the first read are history');
    await appendFile(path, 'INFO fine\nERROR one\nWARN meh\npanic: two\n');
    const second = await runProbe(probe);
    assert.equal(second.ok, true);
    assert.equal(second.status, 2);
    await appendFile(path, 'ERROR three\n');
    const third = await runProbe(probe);
    assert.equal(third.ok, false);
    assert.equal(third.status, 3);
    assert.equal(
      third.error,
      '3 line(s) matched "ERROR|panic" in the last 60s (threshold 3); last: ERROR three',
    );
    assert.equal(third.output, 'ERROR one\npanic: two\nERROR three');
    // Still within the window: no new lines, still failing.
    assert.equal((await runProbe(probe)).ok, false);
  });

  it('matches leave the window after windowSeconds', async () => {
    const probe = prepare({ path, pattern: 'ERROR', windowSeconds: 1 });
    await runProbe(probe);
    await appendFile(path, 'ERROR once\n');
    assert.equal((await runProbe(probe)).ok, false);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const later = await runProbe(probe);
    assert.equal(later.ok, true);
    assert.equal(later.status, 0);
  });

  it('cuts credentials and mend tokens from the lines it keeps', async () => {
    const token = generateToken();
    const probe = prepare({ path, pattern: 'ERROR', redact: ['card=\\d+'] });
    await runProbe(probe);
    await appendFile(
      path,
      `ERROR login password=hunter2 user=bob\nERROR db postgres://app:s3cret@db:5432/x\nERROR auth: Authorization: Bearer abc.def token ${token}\nERROR pay card=4111111111111111\n`,
    );
    const result = await runProbe(probe);
    assert.equal(result.ok, false);
    const output = result.output ?? '';
    for (const secret of ['hunter2', 's3cret', 'abc.def', token, '4111111111111111']) {
      assert.ok(!output.includes(secret), `${secret} was kept:\n${output}`);
    }
    assert.match(output, /password=\[redacted\] user=bob/);
    assert.match(output, /postgres:\/\/app:\[redacted\]@db/);
  });

  it('bounds the evidence to maxOutputBytes, marked where it was cut', async () => {
    const probe = prepare({ path, pattern: 'ERROR' });
    await runProbe(probe);
    await appendFile(path, Array.from({ length: 50 }, (_, i) => `ERROR number ${i}\n`).join(''));
    const result = await runProbe(probe, probeContext(2000, 100));
    assert.equal(result.ok, false);
    const output = result.output ?? '';
    assert.ok(output.endsWith(TRUNCATION_MARKER), output);
    // The evidence is the newest 20 matched lines: number 30 to 49.
    assert.ok(output.startsWith('ERROR number 30\n'), output);
    assert.ok(Buffer.byteLength(output) <= 100 + Buffer.byteLength(TRUNCATION_MARKER));
  });

  it('a missing file passes with a warning: the service is not failing, the file is not there', async () => {
    const probe = prepare({ path: join(dir, 'not-yet.log'), pattern: 'ERROR' });
    const result = await runProbe(probe);
    assert.equal(result.ok, true);
    assert.match(result.warning ?? '', /not-yet\.log does not exist \(yet\)/);
  });

  it('an unreadable file is a discarded result, not a failure of the service', async (t) => {
    if (process.getuid?.() === 0) {
      // root reads any file; a folder path is unreadable as a log for everyone.
      const probe = prepare({ path: dir, pattern: 'ERROR' });
      const result = await runProbe(probe);
      assert.equal(result.discarded, true);
      assert.match(result.error ?? '', /is not a regular file/);
      return;
    }
    await chmod(path, 0o000);
    t.after(() => chmod(path, 0o600));
    const result = await runProbe(prepare({ path, pattern: 'ERROR' }));
    assert.equal(result.discarded, true);
    assert.match(result.error ?? '', /cannot read .*EACCES/);
  });

  it('carries a cursor, and a probe prepared with it goes on after the lines already read', async () => {
    const probe = prepare({ path, pattern: 'ERROR' });
    await runProbe(probe);
    await appendFile(path, 'ERROR seen by the first\n');
    const seen = await runProbe(probe);
    assert.equal(seen.ok, false);
    await appendFile(path, 'ERROR after the restart\n');
    const again = prepare({ path, pattern: 'ERROR seen' }, seen.cursor);
    const result = await runProbe(again);
    assert.equal(result.ok, true, 'the line read before the restart is not read again');
    const resumed = prepare({ path, pattern: 'after the restart' }, seen.cursor);
    assert.equal((await runProbe(resumed)).ok, false);
  });
});

describe('log probe on what is not a regular file', () => {
  it('refuses a FIFO at once, without opening it (an open would wait for a writer)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-log-fifo-'));
    try {
      const fifo = join(dir, 'app.log');
      const made = spawnSync('mkfifo', [fifo]);
      assert.equal(made.status, 0, String(made.stderr));
      const started = performance.now();
      const result = await runProbe(prepare({ path: fifo, pattern: 'x' }));
      assert.ok(performance.now() - started < 1000);
      assert.equal(result.discarded, true);
      assert.match(result.error ?? '', /is not a regular file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('log probe release', () => {
  it('closes the followed file when released, and after the run in flight when one is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-log-release-'));
    const openFds = () => readdirSync('/proc/self/fd').length;
    try {
      const path = join(dir, 'app.log');
      await writeFile(path, '');
      const before = openFds();
      const probe = prepare({ path, pattern: 'x' });
      await runProbe(probe);
      assert.equal(openFds(), before + 1, 'the file is held open between runs');
      probe.release?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(openFds(), before);
      assert.match((await runProbe(probe)).error ?? '', /was released/);

      const second = prepare({ path, pattern: 'x' });
      await runProbe(second);
      const inFlight = runProbe(second);
      second.release?.();
      assert.equal((await inFlight).ok, true, 'the run in flight ends normally');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(openFds(), before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
