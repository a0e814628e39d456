import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPolicyTests } from '../../src/policy-test/index.ts';

/**
 * Most of the engine's behaviour is specified in `mend test` files: test/policy/cases/*.yaml,
 * and the shipped examples. Each file is one test here; a failure prints the runner's report.
 */
const ROOT = new URL('../../', import.meta.url).pathname;

async function yamlFiles(dir: string, suffix: string): Promise<string[]> {
  const names = await readdir(join(ROOT, dir));
  return names
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(ROOT, dir, name))
    .sort();
}

const files = [
  ...(await yamlFiles('test/policy/cases', '.yaml')),
  ...(await yamlFiles('examples/policies', '.test.yaml')),
];

for (const file of files) {
  test(file.slice(ROOT.length), async () => {
    const result = await runPolicyTests([file]);
    assert.equal(result.failed, 0, result.report);
    assert.ok(result.passed > 0, result.report);
  });
}
