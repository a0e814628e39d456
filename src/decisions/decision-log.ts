import type { Decision, EngineState, Input } from '../policy/index.ts';
import type { Signal } from '../signals/signal.ts';
import type { Logger } from '../support/log.ts';

/** A recorded signal, as one log line (warn when firing). */
export function logSignal(log: Logger, signal: Signal): void {
  const line = `${signal.service}/${signal.check ?? signal.source} ${signal.status}: ${signal.summary}`;
  const fields = {
    signal: {
      fingerprint: signal.fingerprint,
      service: signal.service,
      check: signal.check,
      status: signal.status,
      startsAt: new Date(signal.startsAt).toISOString(),
    },
  };
  if (signal.status === 'firing') log.warn(fields, line);
  else log.info(fields, line);
}

/**
 * What a recorded decision did to incidents, one line per decision, link, unlink and resolution.
 * Lines that say nothing new to a person are logged at debug: the wait after a heal that just
 * succeeded (the incident waits out its cooldown until the signal resolves), and a link whose
 * words the hold decision beside it already says.
 */
export function logDecision(log: Logger, decision: Decision<EngineState>, input: Input): void {
  const healed = input.kind === 'outcome' && input.result === 'succeeded';
  const said = new Set(
    decision.events.flatMap((e) => (e.type === 'decision' ? [e.reason.message] : [])),
  );
  for (const event of decision.events) {
    if (event.type === 'linked' && said.has(event.reason.message)) {
      log.debug({ incident: event.incidentId }, `${event.incidentId}: ${event.reason.message}`);
    } else if (event.type === 'decision') {
      const level = healed && event.verdict === 'wait' ? 'debug' : 'info';
      log[level](
        { incident: event.incidentId, verdict: event.verdict, reason: event.reason.code },
        `${event.incidentId} ${event.reason.service ?? ''}: ${event.verdict}: ${event.reason.message}`,
      );
    } else if (event.type === 'linked' || event.type === 'unlinked' || event.type === 'resolved') {
      log.info({ incident: event.incidentId }, `${event.incidentId}: ${event.reason.message}`);
    }
  }
}
