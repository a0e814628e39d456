import { after, before, test } from 'node:test';
import { type DemoLoop, startDemoLoop, waitFor } from './demo-loop.ts';

let loop: DemoLoop;
before(async () => {
  loop = await startDemoLoop();
});
after(() => loop?.stop());

test('a runbook that fails runs onFailure, and the failure escalates to a person', async () => {
  const { mend, supervisor, pages, control } = loop;
  // The supervisor's control API goes away: the restart step cannot work.
  await new Promise((resolve) => control.close(resolve));
  supervisor.crash('api');
  await mend.waitForLog(/^runbook restart on api \(inc-\d+:heal:\d+\): failed/, 30_000);
  // onFailure told the pager what was tried ...
  await waitFor(
    () => pages.some((line) => /restart of api did not bring it back/.test(line)),
    pages,
  );
  // ... and the engine, out of attempts, paged.
  await mend.waitForLog(/breaker api\/restart open until .*; paging demo-pager/, 40_000);
  await waitFor(() => pages.some((line) => /PAGE received: page: api:/.test(line)), pages);
  await supervisor.start('api');
});
