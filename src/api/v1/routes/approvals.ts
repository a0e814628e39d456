import { z } from 'zod';
import { EpochMs, originOf, PathName, problems, type RegisterRoutes } from '../route-kit.ts';
import { AppliedRequest, answerRequest } from './operator-request.ts';

const Approval = z.strictObject({
  id: z.string().describe('inc-N:approval:M'),
  incidentId: z.string(),
  service: z.string(),
  attempt: z.number().int(),
  expiresAt: EpochMs,
});

export const registerApprovals: RegisterRoutes = (app, context) => {
  app.get(
    '/approvals',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary: 'Heals waiting for a person to approve or deny them',
        tags: ['approvals'],
        response: { 200: z.strictObject({ items: z.array(Approval) }) },
      },
    },
    async () => ({
      items: Object.entries(context.state().approvals)
        .map(([id, approval]) => ({ id, ...approval }))
        .sort((a, b) => a.expiresAt - b.expiresAt),
    }),
  );

  for (const verdict of ['approve', 'deny'] as const) {
    app.post(
      `/approvals/:id/${verdict}`,
      {
        config: {
          access: {
            permission: 'approvals:decide',
            action: verdict === 'approve' ? 'approval.approve' : 'approval.deny',
          },
        },
        schema: {
          summary:
            verdict === 'approve'
              ? 'Approve a heal that waits'
              : 'Deny a heal that waits; the incident escalates',
          description:
            'Recorded and audited, applied by the decision loop, answered with what it did.',
          tags: ['approvals'],
          params: z.strictObject({ id: PathName }),
          response: { 200: AppliedRequest, ...problems(409, 503) },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const settled = await context.request(
          {
            at: context.now(),
            actor: request.actor,
            kind: 'approval',
            payload: { approvalId: id, verdict },
          },
          originOf(request),
        );
        return answerRequest(
          reply,
          settled,
          `${verdict === 'approve' ? 'approval' : 'denial'} of ${id}`,
        );
      },
    );
  }
};
