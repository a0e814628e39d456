import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, before, test } from 'node:test';
import { runMend } from '../helpers/mend-process.ts';
import { type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

let running: RunningMend;
before(async () => {
  running = await startRunningMend();
});
after(async () => {
  await running?.stop();
});

test('mend silence add holds what it matches in a running mend; list shows it; expire lets it heal', async () => {
  const { mend, db, config, target } = running;
  try {
    const bad = await runMend([
      'silence',
      'add',
      'env=~"("',
      '--for',
      '1h',
      '--comment',
      'x',
      '--db',
      db,
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /matcher "env=~\\"\(\\"": /);
    const both = await runMend(['silence', 'add', 'env="prod"', '--comment', 'x', '--db', db]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give exactly one of --for DURATION and --until TIME/);

    const added = await runMend([
      'silence',
      'add',
      'env="prod"',
      'service="api"',
      '--for',
      '1h',
      '--comment',
      'planned failover',
      '--db',
      db,
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /silence of env="prod" service="api" until .*: applied \(request (\d+), audited\)/,
    );
    const request = /request (\d+)/.exec(added.stdout)![1];
    const id = `sil-${request}`;

    const listed = await runMend(['silence', 'list', '-c', config, '--db', db, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const silences = JSON.parse(listed.stdout) as {
      id: string;
      matchers: string[];
      createdBy: string;
    }[];
    assert.deepEqual(
      silences.map((s) => [s.id, s.matchers, s.createdBy]),
      [[id, ['env="prod"', 'service="api"'], `cli:${userInfo().username}`]],
    );

    target.setStatus(503);
    await mend.waitForLog(
      new RegExp(`^inc-1 api: hold: silenced by silence ${id} .*planned failover`),
    );
    assert.equal(mend.countLogs(/^inc-1 api: heal:/), 0);

    const unknown = await runMend(['silence', 'expire', 'sil-999', '--db', db]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /rejected: no active silence sil-999/);
    const expired = await runMend(['silence', 'expire', id, '--db', db]);
    assert.equal(expired.code, 0, expired.stderr);
    await mend.waitForLog(/^inc-1 api: heal: /);
  } finally {
    await running.halt();
  }
  const replay = await runMend(['replay', '-c', config, '--db', db]);
  assert.equal(replay.code, 0, `${replay.stdout}${replay.stderr}`);
});
