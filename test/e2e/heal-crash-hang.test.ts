import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoLoop, healed, startDemoLoop } from './demo-loop.ts';

// A process that dies and a process that hangs: each healed by the restart runbook and verified
// by the check that fired. Each scenario file runs its own system, so the files run side by side.

let loop: DemoLoop;
before(async () => {
  loop = await startDemoLoop();
});
after(() => loop?.stop());

test('a crashed process is restarted and verified healthy by the check that fired', async () => {
  const { mend, supervisor } = loop;
  const crashedAt = Date.now();
  supervisor.crash('api');
  await mend.waitForLog(/^api\/live firing/, 15_000);
  await mend.waitForLog(healed('api'), 15_000);
  const recoveredIn = Date.now() - crashedAt;
  // failureThreshold (3) x periodSeconds (1) + a restart + one verify, with room for a busy CI.
  assert.ok(recoveredIn < 10_000, `recovered in ${recoveredIn} ms`);
  await mend.waitForLog(/^api\/live resolved/, 10_000);
});

test('a hung process (accepts, never answers) is restarted and verified', async () => {
  const { mend, ports } = loop;
  await fetch(`http://127.0.0.1:${ports.worker}/control/hang`, { method: 'POST' });
  await mend.waitForLog(
    /^worker\/live firing: 3 consecutive failures: .*timed out after 1000 ms/,
    15_000,
  );
  await mend.waitForLog(healed('worker'), 15_000);
  await mend.waitForLog(/^worker\/live resolved/, 10_000);
});
