import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoLoop, healed, startDemoLoop } from './demo-loop.ts';

let loop: DemoLoop;
before(async () => {
  loop = await startDemoLoop();
});
after(() => loop?.stop());

test('a dependency outage heals the root only; the dependents are held and linked to it, not restarted', async () => {
  const { mend, ports } = loop;
  const before = mend.logs().length;
  await fetch(`http://127.0.0.1:${ports.db}/control/fail`, { method: 'POST' });
  await mend.waitForLog(healed('db'), 20_000);
  await mend.waitForLog(/^db\/ready resolved/, 10_000);
  const during = mend
    .logs()
    .slice(before)
    .map((line) => line.msg);
  assert.ok(
    during.some((msg) => /^api\/ready firing: .*failing dependencies: db/.test(msg)),
    'api said db is why it is not ready',
  );
  // Seen before or after db's own failure, each dependent is held on db's incident, saying so.
  for (const dependent of ['api', 'worker']) {
    assert.ok(
      during.some((msg) =>
        new RegExp(
          // The link, or the hold decision that says it (the feed says it once).
          `^inc-\\d+(?: ${dependent}: hold)?: held: dependency db is unhealthy \\(incident inc-\\d+\\): healing db first \\(policy restart-db-when-not-ready\\), not ${dependent}$`,
        ).test(msg),
      ),
      `${dependent} was linked to db's incident:\n${during.join('\n')}`,
    );
  }
  assert.equal(
    during.filter((msg) => /^inc-\d+ (api|worker): heal:/.test(msg)).length,
    0,
    `no dependent was healed:\n${during.join('\n')}`,
  );
});
