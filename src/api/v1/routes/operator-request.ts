import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { StoredOperatorRequest } from '../../../store/store.ts';
import { sendProblem } from '../../problem.ts';
import { EpochMs } from '../route-kit.ts';

/** What became of an operator request that was applied. */
export const AppliedRequest = z.strictObject({
  request: z.number().int().describe('the operator request id (audited with it)'),
  status: z.literal('applied'),
  at: EpochMs,
  inputSeq: z.number().int().describe('the recorded input that applied it'),
});

/**
 * Answer with what the decision loop did with the request: 200 applied; 409 rejected with its
 * reason (nothing changed); 503 when it is still pending (the loop could not take it now: it
 * stays recorded and is taken when it can, and the caller can read it back).
 */
export function answerRequest(reply: FastifyReply, request: StoredOperatorRequest, what: string) {
  if (request.status === 'applied') {
    return reply.send({
      request: request.id,
      status: 'applied' as const,
      at: request.settledAt ?? request.at,
      inputSeq: request.inputSeq ?? 0,
    });
  }
  if (request.status === 'rejected') {
    return sendProblem(reply, 409, `${what}: rejected: ${request.detail ?? 'no reason given'}`, {
      request: request.id,
    });
  }
  return sendProblem(
    reply,
    503,
    `${what}: recorded as request ${request.id} but not applied yet; it will be taken when the decision loop can`,
    { request: request.id },
  );
}
