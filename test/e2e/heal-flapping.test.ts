import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoLoop, startDemoLoop } from './demo-loop.ts';

let loop: DemoLoop;
before(async () => {
  loop = await startDemoLoop();
});
after(() => loop?.stop());

test('a flapping service opens the breaker and pages exactly once', async () => {
  const { mend, supervisor, pages } = loop;
  supervisor.setFlapping('worker', 2);
  supervisor.crash('worker');
  // Three heals (maxAttempts), each undone by the flapping; the fourth attempt opens the breaker.
  await mend.waitForLog(/breaker worker\/restart open until .*; paging demo-pager/, 40_000);
  await mend.waitForLog(/page sent to demo-pager/, 10_000);
  // It keeps dying: no more heals, no second page.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const received = pages.filter((line) => /PAGE received: page: worker/.test(line));
  assert.equal(received.length, 1, pages.join('\n'));
  assert.equal(mend.countLogs(/^inc-\d+ worker: heal:/), 3, 'maxAttempts heals, then none');
  supervisor.setFlapping('worker', undefined);
});
