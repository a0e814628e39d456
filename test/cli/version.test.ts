import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { runMend } from '../helpers/mend-process.ts';

test('mend --version prints the version from package.json and exits 0', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8'));
  for (const flag of ['--version', '-V']) {
    const result = await runMend([flag]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `mend ${version}\n`);
  }
});
