import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { KUBECTL_DIR } from '../kubernetes/helpers/kubectl.ts';

const KUBECTL = join(KUBECTL_DIR, 'kubectl.1.32');

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('mend kubernetes simulate: writes kubeconfigs, prints the export line, and real kubectl sees the shop', {
  skip: !existsSync(KUBECTL) && `${KUBECTL} not found`,
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-simulate-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const mend = new MendProcess(['kubernetes', 'simulate', '--kubeconfig', kubeconfig]);
  t.after(async () => {
    mend.kill();
    await mend.exited;
    await rm(dir, { recursive: true, force: true });
  });
  await until('the export line', () => mend.stdout.includes('export KUBECONFIG='));
  assert.match(mend.stdout, new RegExp(`^export KUBECONFIG=${kubeconfig}$`, 'm'));
  assert.match(
    mend.stdout,
    /simulated cluster "shop" \(Kubernetes 1\.32\) at https:\/\/127\.0\.0\.1:\d+/,
  );
  const run = (args: string[], config = kubeconfig) =>
    promisify(execFile)(KUBECTL, ['--cache-dir', join(dir, 'cache'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: config },
    });
  // Polled with real kubectl until every deployment is ready (generous: the machine may be busy).
  let deployments = '';
  const allReady = () =>
    /web\s+2\/2/.test(deployments) &&
    /api\s+2\/2/.test(deployments) &&
    /db\s+1\/1/.test(deployments);
  for (const deadline = Date.now() + 30_000; !allReady() && Date.now() < deadline; ) {
    deployments = (await run(['get', 'deploy'])).stdout;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.match(deployments, /web\s+2\/2\s+2\s+2/);
  assert.match(deployments, /db\s+1\/1\s+1\s+1/);
  // The service account's kubeconfig is written too, and its RBAC is the scenario's.
  const saConfig = `${kubeconfig}.system-serviceaccount-mend-mend`;
  assert.match(mend.stdout, new RegExp(`system:serviceaccount:mend:mend: ${saConfig}`));
  assert.equal(
    (await run(['auth', 'can-i', 'patch', 'deployments'], saConfig)).stdout.trim(),
    'yes',
  );
  const denied = await run(['auth', 'can-i', 'delete', 'nodes'], saConfig).then(
    (ok) => ({ code: 0, stdout: ok.stdout }),
    (err: { stdout: string; code: number }) => err,
  );
  assert.deepEqual([denied.code, denied.stdout.trim()], [1, 'no']);
  mend.kill('SIGINT');
  assert.equal(await mend.exited, 0);
});

test('mend kubernetes simulate refuses a broken scenario with FILE:LINE:COL and exit 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-simulate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  await writeFile(
    file,
    'apiVersion: mend/v1\nkind: KubernetesScenario\nmetadata: {name: bad}\nspec:\n  nodes: []\n',
  );
  const result = await runMend(['kubernetes', 'simulate', '--scenario', file]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(`${file.replaceAll('/', '\\/')}:5:10: spec\\.nodes: expected`),
  );
});
