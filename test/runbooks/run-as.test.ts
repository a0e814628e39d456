import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRunbookExecutor } from '../../src/runbooks/executor.ts';
import type { StepRecord } from '../../src/runbooks/journal.ts';
import {
  configFrom,
  runbookYaml,
  serviceYaml,
  silentLog,
  tempStore,
  withTempDir,
} from './helpers.ts';

const q = JSON.stringify;
const root = process.getuid?.() === 0;

/**
 * For real, as root: the command runs as `nobody`, with nobody's group and no supplementary
 * groups, and cannot read what only root can.
 */
test('runAs: mend running as root acts as nobody', { skip: !root && 'needs root' }, () =>
  withTempDir(async (dir) => {
    const secret = join(dir, 'root-only');
    await writeFile(secret, 'root eyes only');
    await chmod(secret, 0o600);
    const config = await configFrom(
      dir,
      serviceYaml('api') +
        runbookYaml(
          'r',
          `  evidence:
    - exec: {command: [/usr/bin/id, -u], runAs: {user: nobody}, cwd: /}
    - exec: {command: [/usr/bin/id, -G], runAs: {user: nobody}, cwd: /}
    - exec: {command: [/usr/bin/id, -g], runAs: {user: 65534, group: nogroup}, cwd: /}
    - exec: {command: [/usr/bin/env], inheritEnv: [HOME], runAs: {user: nobody}, cwd: /}
    - exec: {command: [/usr/bin/cat, ${q(secret)}], runAs: {user: nobody}, cwd: /}
    - exec: {command: [/usr/bin/cat, ${q(secret)}], cwd: /}
    - exec: {command: [/usr/bin/id, -u], runAs: {user: no-such-user}}
  steps:
    - verify: {}`,
        ),
    );
    const store = await tempStore(dir);
    try {
      const executor = createRunbookExecutor({ config: () => config, store, log: silentLog });
      await executor.run({ runId: 'r', runbook: 'r', service: 'api', params: {}, actor: 't' });
      const records = (await store.listJournal('r'))
        .filter((r) => r.phase === 'result' && r.stepIndex >= 0)
        .map((r) => r.payload as StepRecord);
      const out = records.map((r) => `${r.status} ${(r.output ?? r.error ?? '').trim()}`);
      assert.equal(out[0], 'ok 65534');
      assert.equal(
        out[1],
        'ok 65534',
        'only its own group: root’s supplementary groups are dropped',
      );
      assert.equal(out[2], 'ok 65534');
      // And the tag that finds what it starts (support/process-tree.ts).
      assert.match(
        out[3]!,
        /^ok HOME=\/nonexistent\nMEND_PROCESS_TAG=[0-9a-f]{24}$/,
        "HOME is nobody's, not root's",
      );
      assert.match(out[4]!, /^failed \/usr\/bin\/cat: .*Permission denied$/);
      assert.equal(
        out[5],
        'ok root eyes only',
        'the same step without runAs reads it: the control',
      );
      assert.equal(out[6], 'refused runAs: no user named "no-such-user"');
    } finally {
      await store.close();
    }
  }),
);
