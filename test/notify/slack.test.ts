import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slackMessage } from '../../src/notify/kinds/slack-message.ts';
import { NOTIFICATION_VERSION, type Notification } from '../../src/notify/notification.ts';
import { SLACK_PATH, slackFixture } from './contract/slack.ts';
import { withTarget } from './contract.ts';
import {
  approval,
  FAST,
  loadYaml,
  noReport,
  notifierOf,
  page,
  resolvePage,
  withPort,
} from './fixtures.ts';
import { slackErrors } from './slack-receiver.ts';

// What every kind shares (retries, refusals, timeouts, redaction) is in the contract suite;
// here: Slack's own wire format, Block Kit.

const POLICY = `apiVersion: mend/v1
kind: Policy
metadata: {name: restart-api}
spec:
  page: {notifiers: [chat]}
  escalate: {notifiers: [chat]}
---
`;

const LINK = '  link: https://mend.example.com/incidents/{{incident.id}}\n';

type Block = { type: string; text?: { type: string; text: string }; fields?: { text: string }[] };

test('slack: page, approval and resolve are valid Block Kit, with the fields a responder needs', () =>
  withTarget(slackFixture, 'accept', async (slack) => {
    const config = await loadYaml(
      `${POLICY}${notifierOf('chat', 'slack', slack.spec, LINK + FAST)}`,
    );
    const fields = { chronic: { heals: 3, withinMs: 86_400_000 } };
    await withPort(config, { env: slack.env, fields }, async ({ port }) => {
      await port.dispatch(page(['chat']), noReport);
      await port.dispatch(approval(), noReport);
      await port.dispatch(resolvePage(), noReport);
    });

    assert.equal(slack.receiver.requests.length, 3);
    for (const r of slack.receiver.requests) {
      assert.deepEqual(slackErrors(r.body), []);
      assert.equal(r.path, SLACK_PATH);
    }
    const [pageBlocks, approvalBlocks, resolveBlocks] = slack.receiver.requests.map(
      (r) => (r.body as { blocks: Block[] }).blocks,
    );
    assert.equal(pageBlocks![0]!.type, 'header');
    assert.match(pageBlocks![0]!.text!.text, /^:rotating_light: Page: api: 3 consecutive failures/);
    assert.deepEqual(
      pageBlocks![1]!.fields!.map((f) => f.text),
      ['*Service*\napi', '*Incident*\ninc-1', '*Attempts*\n2'],
    );
    const texts = pageBlocks!.map((b) => b.text?.text ?? '').join('\n');
    assert.match(texts, /healed 3 times; healing is hiding a recurring failure/);
    assert.match(texts, /\*Reason\* `breaker-open`\nattempt 4 of 3 within 1h/);
    assert.match(
      texts,
      /\*Evidence\*\n```api\/live firing since .*\n.*FAIL 5ms: connect ECONNREFUSED 127\.0\.0\.1:8080 \(#3\)/,
    );
    const context = pageBlocks!.find((b) => b.type === 'context') as unknown as {
      elements: { text: string }[];
    };
    assert.match(
      context.elements[0]!.text,
      /\*Timeline\*\n.*opened: api.*\n.*signal firing: live: 3 consecutive failures/,
    );
    const actions = pageBlocks!.at(-1) as unknown as { elements: { url: string }[] };
    assert.equal(actions.elements[0]!.url, 'https://mend.example.com/incidents/inc-1');

    const approvalText = approvalBlocks!.map((b) => b.text?.text ?? '').join('\n');
    assert.match(
      approvalBlocks![0]!.text!.text,
      /Approval needed: api: heal with runbook restart waits for approval/,
    );
    assert.match(
      approvalText,
      /```To approve: mend approve inc-1:approval:1\nTo deny: {4}mend deny inc-1:approval:1```/,
    );
    assert.match(
      resolveBlocks![0]!.text!.text,
      /^:white_check_mark: Resolved: api: every signal resolved/,
    );
  }));

test('slack: every text stays within Block Kit limits, and data cannot break out of markup', () => {
  const long = 'z'.repeat(10_000);
  const n: Notification = {
    version: NOTIFICATION_VERSION,
    event: 'page',
    key: 'inc-9:page:1',
    dedupKey: 'inc-9',
    at: '2026-11-24T10:00:00.000Z',
    summary: `<!channel> & ${long}`,
    service: 'api',
    incidents: ['inc-9'],
    attempts: 0,
    reason: { code: 'x', message: long, numbers: {} },
    chronic: false,
    evidence: [
      {
        fingerprint: 'f',
        source: 'probe',
        service: 'api',
        status: 'firing',
        summary: '```closing the fence```',
        startsAt: '2026-11-24T10:00:00.000Z',
        observations: [],
      },
    ],
    timeline: Array.from({ length: 30 }, () => ({ at: 'x', type: 'decision', text: long })),
  };
  const message = slackMessage(n);
  assert.deepEqual(slackErrors(message), []);
  const section = message.blocks[1] as Block;
  assert.ok(section.text!.text.startsWith('&lt;!channel&gt; &amp; zzz'));
  const evidence = message.blocks.find(
    (b) => b.type === 'section' && b.text.text.startsWith('*Evidence*'),
  ) as Block;
  assert.equal(evidence.text!.text.match(/```/g)?.length, 2);
});
