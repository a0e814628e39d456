import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notifierKinds } from '../../src/notify/kinds/registry.ts';
import { emailFixture } from './contract/email.ts';
import { pagerDutyFixture } from './contract/pagerduty.ts';
import { slackFixture } from './contract/slack.ts';
import { webhookFixture } from './contract/webhook.ts';
import { type NotifierFixture, runNotifierContract } from './contract.ts';

/** One fixture per notifier kind in the registry: a new kind joins the suite here. */
const fixtures: Record<string, NotifierFixture> = {
  webhook: webhookFixture,
  slack: slackFixture,
  pagerduty: pagerDutyFixture,
  email: emailFixture,
};

test('every registered notifier kind has a contract fixture, and every fixture a kind', () => {
  assert.deepEqual(Object.keys(fixtures).sort(), notifierKinds.map((kind) => kind.name).sort());
});

for (const kind of notifierKinds) {
  const fixture = fixtures[kind.name];
  if (fixture !== undefined) runNotifierContract(kind, fixture);
}
