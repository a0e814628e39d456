import { notificationSchema } from '../../../src/notify/notification.ts';
import type { NotifierFixture } from '../contract.ts';
import { type Fault, type Receiver, startReceiver } from '../http-receiver.ts';
import { type HttpTarget, httpFault, httpTarget } from './http-target.ts';

/** Answers as a strict receiver would: 204, or 422 when the payload breaks the documented schema. */
export function startWebhookReceiver(fault: Fault = () => undefined): Promise<Receiver> {
  return startReceiver(
    (request, index) =>
      fault(request, index) ??
      (notificationSchema.safeParse(request.body).success ? { status: 204 } : { status: 422 }),
  );
}

export const HOOK_TOKEN = 'Bearer s3cr3t-token';

export const webhookFixture: NotifierFixture<HttpTarget> = {
  async start(answering) {
    const refusal = { status: 400, body: 'invalid payload' };
    const receiver = await startWebhookReceiver(httpFault(answering, refusal));
    return httpTarget(receiver, {
      spec: {
        url: `${receiver.url}/mend`,
        headers: [
          { name: 'Authorization', valueFrom: { env: 'HOOK_TOKEN' } },
          { name: 'X-Team', value: 'payments' },
        ],
      },
      env: { HOOK_TOKEN },
      secrets: ['s3cr3t-token'],
    });
  },
  refusal: /^http:\/\/127\.0\.0\.1:\d+ answered 400: invalid payload$/,
};
