import type { Decision, EngineState } from '../policy/index.ts';
import { listBreakers, openIncidents } from '../policy/views.ts';
import type { EngineFigures, Metrics } from '../support/metrics.ts';

/**
 * A recorded decision on /metrics: each decision about an incident by its verdict and reason
 * code, and each incident closed by how long it was open (the engine's own figure, the reason's
 * `durationMs`: from the incident opening to every signal resolved).
 */
export function countDecision(metrics: Metrics, decision: Decision<EngineState>): void {
  for (const event of decision.events) {
    if (event.type === 'decision') {
      metrics.decisions.inc({ verdict: event.verdict, reason: event.reason.code });
    } else if (event.type === 'resolved') {
      const durationMs = event.reason.numbers.durationMs;
      if (typeof durationMs === 'number') {
        metrics.timeToRecover.observe({ how: event.how }, durationMs / 1000);
      }
    }
  }
}

/**
 * What the decision-state gauges say, read at each scrape. A breaker whose open window has passed
 * is half-open (the engine moves it when it next looks): not counted.
 */
export function engineFigures(state: EngineState, now: number): EngineFigures {
  const open = listBreakers(state).filter(
    (breaker) => breaker.state === 'open' && (breaker.openUntil ?? Number.POSITIVE_INFINITY) > now,
  );
  return {
    breakersOpen: open.length,
    openIncidents: openIncidents(state).length,
    approvalsWaiting: Object.keys(state.approvals).length,
  };
}
