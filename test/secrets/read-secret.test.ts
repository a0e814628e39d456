import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSecret, SecretError } from '../../src/secrets/read-secret.ts';
import { findSecretRefs } from '../../src/secrets/secret-ref.ts';

test('a secret is read from the environment or from a file (trimmed), at delivery time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-secret-'));
  try {
    const file = join(dir, 'key');
    await writeFile(file, '  from-a-file\n');
    assert.equal(await readSecret({ valueFrom: { env: 'K' } }, { K: 'from-env' }), 'from-env');
    assert.equal(await readSecret({ valueFrom: { file } }, {}), 'from-a-file');
    await writeFile(file, 'rotated\n');
    assert.equal(await readSecret({ valueFrom: { file } }, {}), 'rotated');
    await writeFile(file, '\n');
    await assert.rejects(readSecret({ valueFrom: { file } }, {}), {
      message: `cannot read the secret file ${file}: the file is empty`,
    });
    await assert.rejects(
      readSecret({ valueFrom: { env: 'K' } }, { K: '' }),
      (err: unknown) =>
        err instanceof SecretError && err.message === 'the environment variable K is not set',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every secret of a spec is found, wherever the kind puts it', () => {
  const spec = {
    url: 'http://x',
    headers: [
      { name: 'A', valueFrom: { env: 'A' } },
      { name: 'B', value: 'plain' },
    ],
    env: { TOKEN: { valueFrom: { file: '/t' }, prefix: 'Bearer ' } },
  };
  assert.deepEqual(findSecretRefs(spec), [
    { name: 'A', valueFrom: { env: 'A' } },
    { valueFrom: { file: '/t' }, prefix: 'Bearer ' },
  ]);
});
