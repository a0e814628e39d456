import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TRUNCATION_MARKER } from '../../src/signals/observation.ts';
import { execProbe, execProbeSpec } from '../../src/signals/probes/exec.ts';
import { processGone } from '../helpers/processes.ts';
import { probeContext, runProbe } from './helpers.ts';

const exec = (spec: Record<string, unknown>) => execProbe.prepare(execProbeSpec.parse(spec));

test('exec: exit 0 succeeds and captures stdout and stderr', async () => {
  const result = await runProbe(exec({ command: ['sh', '-c', 'echo out; echo err >&2'] }));
  assert.equal(result.ok, true);
  assert.equal(result.status, 0);
  assert.match(result.output ?? '', /^(out\nerr\n|err\nout\n)$/);
});

test('exec: an unexpected exit code fails with the last line the command said', async () => {
  const result = await runProbe(
    exec({ command: ['sh', '-c', 'echo checking; echo db down; exit 3'] }),
  );
  assert.equal(result.ok, false);
  assert.equal(result.status, 3);
  assert.equal(result.error, 'exit code 3, expected 0: db down');
  const accepted = await runProbe(
    exec({ command: ['sh', '-c', 'exit 3'], successExitCodes: [0, 3] }),
  );
  assert.equal(accepted.ok, true);
});

test('exec: a timeout kills the command and its grandchildren promptly', async () => {
  const probe = exec({ command: ['sh', '-c', 'sleep 100 & echo $!; wait'] });
  const result = await runProbe(probe, probeContext(300));
  assert.equal(result.ok, false);
  assert.equal(result.error, 'timed out after 300 ms running sh; killed its process group');
  assert.ok(result.durationMs < 1000, `took ${result.durationMs} ms`);
  const grandchild = Number(result.output?.trim());
  assert.ok(grandchild > 0, `no pid in ${JSON.stringify(result.output)}`);
  assert.equal(await processGone(grandchild), true, `sleep ${grandchild} survived`);
});

test('exec: background processes left behind are killed when the command exits', async () => {
  const result = await runProbe(exec({ command: ['sh', '-c', 'sleep 100 & echo $!'] }));
  assert.equal(result.ok, true);
  assert.ok(result.durationMs < 1000, `took ${result.durationMs} ms`);
  assert.equal(await processGone(Number(result.output?.trim())), true);
});

/**
 * Two children that leave the process group with setsid, each printing its pid: one keeps the
 * probe's stdout open, one has its stdio closed. `then` runs after they start.
 */
function escapers(then: string): string {
  return [
    "setsid sh -c 'echo $$; exec sleep 121' &",
    "setsid sh -c 'echo $$; exec sleep 121 </dev/null >/dev/null 2>&1' &",
    'sleep 0.2',
    then,
  ].join('\n');
}

function pidsIn(output: string | undefined): number[] {
  const pids = (output ?? '').trim().split('\n').map(Number);
  assert.equal(pids.length, 2, `expected two pids in ${JSON.stringify(output)}`);
  return pids;
}

test('exec: children that left the process group (setsid) are killed when the command exits', async () => {
  const result = await runProbe(
    exec({ command: ['sh', '-c', escapers('exit 0')] }),
    probeContext(5000),
  );
  assert.equal(result.ok, true, result.error);
  assert.ok(result.durationMs < 2000, `took ${result.durationMs} ms: a child held the pipes`);
  for (const pid of pidsIn(result.output)) {
    assert.equal(await processGone(pid), true, `setsid child ${pid} survived`);
  }
});

test('exec: a timeout kills the children that left the process group too', async () => {
  const result = await runProbe(
    exec({ command: ['sh', '-c', escapers('wait')] }),
    probeContext(600),
  );
  assert.equal(result.error, 'timed out after 600 ms running sh; killed its process group');
  for (const pid of pidsIn(result.output)) {
    assert.equal(await processGone(pid), true, `setsid child ${pid} survived`);
  }
});

test('exec: the command sees its tag, and nothing else of mend’s environment', async () => {
  const result = await runProbe(exec({ command: ['sh', '-c', 'echo "$MEND_PROCESS_TAG"'] }));
  assert.match(result.output ?? '', /^[0-9a-f]{24}\n$/);
});

test('exec: output is bounded and marked when cut', async () => {
  const probe = exec({ command: ['sh', '-c', 'head -c 1000000 /dev/zero | tr "\\0" a'] });
  const result = await runProbe(probe, probeContext(5000, 1000));
  assert.equal(result.ok, true);
  assert.equal(result.output, 'a'.repeat(1000) + TRUNCATION_MARKER);
});

test('exec: a missing command is reported as such', async () => {
  const result = await runProbe(exec({ command: ['no-such-command-for-mend', '--version'] }));
  assert.deepEqual(result, {
    ok: false,
    error: 'command not found: no-such-command-for-mend',
    durationMs: result.durationMs,
  });
});

test('exec: env and cwd are honoured, and mend’s own environment is not passed on', async () => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'mend-exec-')));
  process.env.MEND_TEST_SECRET = 'hunter2';
  try {
    const probe = exec({
      command: ['sh', '-c', 'echo "$GREETING [$MEND_TEST_SECRET]"; pwd'],
      env: { GREETING: 'hello' },
      cwd: dir,
    });
    const result = await runProbe(probe);
    assert.equal(result.output, `hello []\n${dir}\n`);
    const missing = await runProbe(exec({ command: ['pwd'], cwd: join(dir, 'nope') }));
    assert.equal(missing.error, `working directory does not exist: ${join(dir, 'nope')}`);
  } finally {
    delete process.env.MEND_TEST_SECRET;
    await rm(dir, { recursive: true });
  }
});

test('exec: arguments reach the program literally, never through a shell', async () => {
  const nasty = '$(echo pwned); `id` | cat > /tmp/x & * "quoted" \'single\'';
  const result = await runProbe(exec({ command: ['printf', '%s', nasty] }));
  assert.equal(result.output, nasty);
});
