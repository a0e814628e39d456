import { z } from 'zod';
import { describeSecret, secretRef } from '../../secrets/secret-ref.ts';
import { DeliveryError } from '../delivery-error.ts';
import { postJson } from '../http-post.ts';
import { defineNotifierKind } from '../notifier-kind.ts';
import { slackMessage } from './slack-message.ts';

export const slackSpec = z.strictObject({
  webhookUrl: secretRef(
    'The incoming webhook URL (https://hooks.slack.com/services/...), which is its own credential',
  ),
});

/** A Block Kit message to a Slack incoming webhook (the channel is the webhook's). */
export const slackNotifier = defineNotifierKind({
  name: 'slack',
  summary: 'A Block Kit message to a Slack incoming webhook',
  spec: slackSpec,
  async deliver(spec, notification, ctx) {
    const url = await ctx.secret(spec.webhookUrl);
    if (!/^https?:\/\//i.test(url)) {
      throw new DeliveryError(
        `the webhook URL read from ${describeSecret(spec.webhookUrl)} is not an http(s) URL`,
        { transient: false },
      );
    }
    await postJson(url, slackMessage(notification), { signal: ctx.signal });
  },
});
