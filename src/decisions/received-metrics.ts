import type { Metrics } from '../support/metrics.ts';
import type { AlertIntakeResult } from './alert-intake.ts';

/**
 * Counts what a delivery that was acknowledged brought (mend_received_total), once it is: a
 * refused one (503, 400) is counted by mend_http_requests_total with its status instead.
 */
export async function countReceived(
  metrics: Metrics,
  kind: 'alert' | 'event',
  result: Promise<AlertIntakeResult>,
): Promise<AlertIntakeResult> {
  const settled = await result;
  metrics.received.inc({ kind, outcome: 'kept' }, settled.received - settled.stale);
  if (settled.stale > 0) metrics.received.inc({ kind, outcome: 'stale' }, settled.stale);
  return settled;
}
