import type { NotifierKind } from '../notifier-kind.ts';
import { emailNotifier } from './email.ts';
import { pagerDutyNotifier } from './pagerduty.ts';
import { slackNotifier } from './slack.ts';
import { webhookNotifier } from './webhook.ts';

/** Every notifier kind mend knows. The Notifier schema is built from this table: a new kind is one line. */
export const notifierKinds: readonly NotifierKind[] = [
  webhookNotifier as NotifierKind,
  slackNotifier as NotifierKind,
  pagerDutyNotifier as NotifierKind,
  emailNotifier as NotifierKind,
];

export function findNotifierKind(name: string): NotifierKind | undefined {
  return notifierKinds.find((kind) => kind.name === name);
}
