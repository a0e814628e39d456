import type { NotifierFixture } from '../contract.ts';
import { startPagerDutyReceiver } from '../pagerduty-receiver.ts';
import { type HttpTarget, httpFault, httpTarget } from './http-target.ts';

export const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdef012345';

export const pagerDutyFixture: NotifierFixture<HttpTarget> = {
  async start(answering) {
    const refusal = {
      status: 400,
      body: JSON.stringify({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ['routing_key is not an integration key of this account'],
      }),
    };
    const receiver = await startPagerDutyReceiver(httpFault(answering, refusal));
    return httpTarget(receiver, {
      spec: {
        routingKey: { valueFrom: { env: 'PD_ROUTING_KEY' } },
        url: `${receiver.url}/v2/enqueue`,
      },
      env: { PD_ROUTING_KEY: ROUTING_KEY },
      secrets: [ROUTING_KEY],
    });
  },
  refusal: /^http:\/\/127\.0\.0\.1:\d+ answered 400: \{"status":"invalid event",/,
};
