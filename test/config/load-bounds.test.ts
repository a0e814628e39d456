import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatErrors } from '../../src/config/config-error.ts';
import type { ConfigLimits } from '../../src/config/limits.ts';
import { loadConfig } from '../../src/config/load.ts';
import { service, withFiles } from './files.ts';

/** Each case must answer at once: without the bounds these hang or take minutes. */
const fast = { timeout: 10_000 };

async function lines(dir: string, paths: string[], limits: Partial<ConfigLimits> = {}) {
  const started = performance.now();
  const result = await loadConfig(
    paths.map((p) => join(dir, p)),
    limits,
  );
  const elapsedMs = performance.now() - started;
  assert.ok(elapsedMs < 5000, `took ${elapsedMs} ms`);
  return formatErrors(result.errors)
    .split('\n')
    .map((line) => line.replaceAll(`${dir}/`, ''));
}

test('a FIFO named x.yaml in a config folder is refused, not read forever', fast, async () => {
  await withFiles({ 'conf/a.yaml': service('api') }, async (dir) => {
    execFileSync('mkfifo', [join(dir, 'conf/x.yaml')]);
    assert.deepEqual(await lines(dir, ['conf']), [
      'conf/x.yaml: cannot read: expected a regular file, found a FIFO (config files must be plain files)',
    ]);
  });
});

test('a symlink to /dev/zero is refused', fast, async () => {
  await withFiles({ 'conf/a.yaml': service('api') }, async (dir) => {
    await symlink('/dev/zero', join(dir, 'conf/x.yaml'));
    assert.deepEqual(await lines(dir, ['conf']), [
      'conf/x.yaml: cannot read: expected a regular file, found a device (config files must be plain files)',
    ]);
  });
});

test('a 59 MB file is refused by its size, before it is read', fast, async () => {
  await withFiles({ 'big.yaml': '' }, async (dir) => {
    await truncate(join(dir, 'big.yaml'), 59_000_000); // sparse: nothing is written
    assert.deepEqual(await lines(dir, ['big.yaml']), [
      'big.yaml: cannot read: expected at most 16 MiB (the limit for one config file), found 56.3 MiB: split it into several files',
    ]);
  });
});

test(
  'the files together are bounded too: the first one past the total is reported',
  fast,
  async () => {
    const files = { 'a.yaml': service('a'), 'b.yaml': service('b'), 'c.yaml': service('c') };
    await withFiles(files, async (dir) => {
      const limit = Buffer.byteLength(service('a')) * 2;
      assert.deepEqual(
        await lines(dir, ['a.yaml', 'b.yaml', 'c.yaml'], { maxConfigBytes: limit }),
        [
          `c.yaml: cannot read: the config's files together are over ${limit} bytes (the limit for all files together) with this one: pass fewer files`,
        ],
      );
    });
  },
);

test('the number of files is bounded', fast, async () => {
  const files = { 'conf/a.yaml': service('a'), 'conf/b.yaml': service('b') };
  await withFiles(files, async (dir) => {
    assert.deepEqual(await lines(dir, ['conf'], { maxFiles: 1 }), [
      'conf: expected at most 1 config files (the limit), found 2: put several documents in one file (---)',
    ]);
  });
});

test('the size limit for one file is the one given', fast, async () => {
  await withFiles({ 'a.yaml': '' }, async (dir) => {
    await writeFile(join(dir, 'a.yaml'), service('a'));
    assert.deepEqual(await lines(dir, ['a.yaml'], { maxFileBytes: 10 }), [
      `a.yaml: cannot read: expected at most 10 bytes (the limit for one config file), found ${Buffer.byteLength(service('a'))} bytes: split it into several files`,
    ]);
  });
});
