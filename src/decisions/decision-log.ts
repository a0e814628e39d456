import type { Decision, EngineState, IncidentEvent, Input } from '../policy/index.ts';
import type { Signal } from '../signals/signal.ts';
import type { Logger } from '../support/log.ts';

/** One line of mend's feed: what the log prints, and what `mend tail` prints from the API. */
export interface FeedLine {
  level: 'debug' | 'info' | 'warn';
  text: string;
  fields: Record<string, unknown>;
}

/** A recorded signal, as one line (warn when firing). */
export function signalLine(signal: Signal): FeedLine {
  return {
    level: signal.status === 'firing' ? 'warn' : 'info',
    text: `${signal.service}/${signal.check ?? signal.source} ${signal.status}: ${signal.summary}`,
    fields: {
      signal: {
        fingerprint: signal.fingerprint,
        service: signal.service,
        check: signal.check,
        status: signal.status,
        startsAt: new Date(signal.startsAt).toISOString(),
      },
    },
  };
}

/**
 * What a recorded decision did to incidents, one line per decision, link, unlink and resolution.
 * Lines that say nothing new to a person are at debug: the wait after a heal that just succeeded
 * (the incident waits out its cooldown until the signal resolves), and a link whose words the
 * hold decision beside it already says.
 */
export function decisionLines(events: readonly IncidentEvent[], input: Input): FeedLine[] {
  const healed = input.kind === 'outcome' && input.result === 'succeeded';
  const said = new Set(events.flatMap((e) => (e.type === 'decision' ? [e.reason.message] : [])));
  const lines: FeedLine[] = [];
  for (const event of events) {
    if (event.type === 'linked' && said.has(event.reason.message)) {
      lines.push({
        level: 'debug',
        text: `${event.incidentId}: ${event.reason.message}`,
        fields: { incident: event.incidentId },
      });
    } else if (event.type === 'decision') {
      lines.push({
        level: healed && event.verdict === 'wait' ? 'debug' : 'info',
        text: `${event.incidentId} ${event.reason.service ?? ''}: ${event.verdict}: ${event.reason.message}`,
        fields: { incident: event.incidentId, verdict: event.verdict, reason: event.reason.code },
      });
    } else if (event.type === 'linked' || event.type === 'unlinked' || event.type === 'resolved') {
      lines.push({
        level: 'info',
        text: `${event.incidentId}: ${event.reason.message}`,
        fields: { incident: event.incidentId },
      });
    }
  }
  return lines;
}

export function logSignal(log: Logger, signal: Signal): void {
  writeLine(log, signalLine(signal));
}

export function logDecision(log: Logger, decision: Decision<EngineState>, input: Input): void {
  for (const line of decisionLines(decision.events, input)) writeLine(log, line);
}

function writeLine(log: Logger, line: FeedLine): void {
  log[line.level](line.fields, line.text);
}
