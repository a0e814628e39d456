import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { slackMessage } from '../../src/notify/kinds/slack-message.ts';
import { NOTIFICATION_VERSION, type Notification } from '../../src/notify/notification.ts';
import {
  approval,
  FAST,
  loadYaml,
  memoryStore,
  noReport,
  notifier,
  page,
  port,
  resolvePage,
  seedIncident,
} from './fixtures.ts';
import type { Receiver } from './http-receiver.ts';
import { slackErrors, startSlackReceiver } from './slack-receiver.ts';

let slack: Receiver;
before(async () => {
  slack = await startSlackReceiver();
});
after(() => slack.close());

const POLICY = `apiVersion: mend/v1
kind: Policy
metadata: {name: restart-api}
spec:
  page: {notifiers: [chat]}
  escalate: {notifiers: [chat]}
---
`;

const config = () =>
  loadYaml(
    `${POLICY}${notifier(
      'chat',
      `  slack: {webhookUrl: {valueFrom: {env: SLACK_WEBHOOK_URL}}}\n  link: https://mend.example.com/incidents/{{incident.id}}\n${FAST}`,
    )}`,
  );

type Block = { type: string; text?: { type: string; text: string }; fields?: { text: string }[] };

test('slack: page, approval and resolve are valid Block Kit, with the fields a responder needs', async () => {
  slack.requests.length = 0;
  const store = await memoryStore();
  await seedIncident(store, 'inc-1', 'api', { chronic: { heals: 3, withinMs: 86_400_000 } });
  const p = port(store, await config(), {
    env: { SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXXXXXXXXXXXXXX` },
  });
  await p.dispatch(page(['chat']), noReport);
  await p.dispatch(approval(), noReport);
  await p.dispatch(resolvePage(), noReport);

  assert.equal(slack.requests.length, 3);
  for (const r of slack.requests) {
    assert.deepEqual(slackErrors(r.body), []);
    assert.equal(r.path, '/services/T000/B000/XXXXXXXXXXXXXXXX');
  }
  const [pageBlocks, approvalBlocks, resolveBlocks] = slack.requests.map(
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
  await store.close();
});

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
