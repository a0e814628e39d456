import type { NotifierFixture } from '../contract.ts';
import { startSlackReceiver } from '../slack-receiver.ts';
import { type HttpTarget, httpFault, httpTarget } from './http-target.ts';

/** The path of the incoming webhook URL: with the host, the credential. */
export const SLACK_PATH = '/services/T000/B000/XXXXXXXXXXXXXXXX';

export const slackFixture: NotifierFixture<HttpTarget> = {
  async start(answering) {
    // What Slack answers for a webhook that was revoked or never existed.
    const refusal = { status: 404, body: 'no_service' };
    const receiver = await startSlackReceiver(httpFault(answering, refusal));
    return httpTarget(receiver, {
      spec: { webhookUrl: { valueFrom: { env: 'SLACK_WEBHOOK_URL' } } },
      env: { SLACK_WEBHOOK_URL: `${receiver.url}${SLACK_PATH}` },
      secrets: [SLACK_PATH, 'XXXXXXXXXXXXXXXX'],
    });
  },
  refusal: /^http:\/\/127\.0\.0\.1:\d+ answered 404: no_service$/,
};
