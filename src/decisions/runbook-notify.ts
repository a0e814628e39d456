import type { ActionPort } from './action-port.ts';

/**
 * A runbook's `notify` step, delivered through the notifiers as a page about the heal's incident
 * (`inc-3:heal:1` runs for `inc-3`): the message arrives with the incident's evidence and
 * timeline, and the step's idempotency key makes a resumed run send it once.
 */
export function runbookNotify(notifiers: ActionPort) {
  return async (
    names: readonly string[],
    message: string,
    meta?: { key: string; runId: string },
  ): Promise<void> => {
    const key = meta?.key ?? `notify:${message}`;
    const incidentId = meta?.runId.split(':heal:')[0] ?? key;
    await notifiers.dispatch(
      {
        kind: 'page',
        id: key,
        idempotencyKey: key,
        target: incidentId,
        incidentIds: [incidentId],
        notifiers: [...names],
        summary: message,
        reason: { code: 'runbook-notify', incidentId, numbers: {}, message },
      },
      { report: () => {} },
    );
  };
}
