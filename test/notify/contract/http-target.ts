import type { Answering, NotifierTarget } from '../contract.ts';
import type { Answer, Fault, Receiver } from '../http-receiver.ts';

/** A target over a kind's HTTP receiver, which tests of the kind's wire format read. */
export type HttpTarget = NotifierTarget & { receiver: Receiver };

/** How an HTTP receiver answers when it does not accept; `refusal` is the kind's own 4xx. */
export function httpFault(answering: Answering, refusal: Answer): Fault {
  switch (answering) {
    case 'accept':
      return () => undefined;
    case 'unavailable':
      return () => ({ status: 503, body: 'service unavailable' });
    case 'rateLimited':
      return () => ({ status: 429, body: 'rate limited' });
    case 'refuse':
      return () => refusal;
    case 'silent':
      return () => ({ status: 200, hang: true });
    case 'echo':
      return (request) => ({
        status: 400,
        body: `cannot take ${request.method} ${request.path} ${JSON.stringify(request.headers)} ${request.raw}`,
      });
  }
}

export function httpTarget(
  receiver: Receiver,
  fields: Pick<NotifierTarget, 'spec' | 'env' | 'secrets'>,
): HttpTarget {
  return {
    ...fields,
    receiver,
    attempts: () => receiver.requests.length,
    accepted: () =>
      receiver.requests.filter((r) => r.status !== undefined && r.status < 300).length,
    openConnections: receiver.openConnections,
    close: receiver.close,
  };
}
