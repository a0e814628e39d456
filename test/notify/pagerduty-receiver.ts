import { type Fault, type Receiver, startReceiver } from './http-receiver.ts';

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/**
 * The checks PagerDuty's Events API v2 makes on an event (developer.pagerduty.com, "Send an
 * Alert Event"): routing_key 32 characters in the real service (any non-empty string here, tests
 * use short keys), event_action trigger|acknowledge|resolve, dedup_key at most 255 characters,
 * and for a trigger a payload with summary (1-1024), source, severity from the four levels.
 */
export function pagerDutyErrors(event: unknown): string[] {
  const errors: string[] = [];
  if (typeof event !== 'object' || event === null) return ['the event is not a JSON object'];
  const e = event as Record<string, unknown>;
  if (typeof e.routing_key !== 'string' || e.routing_key === '') errors.push('routing_key missing');
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(e.event_action))) {
    errors.push(`event_action invalid: ${String(e.event_action)}`);
  }
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) {
    errors.push('dedup_key must be a string of at most 255 characters');
  }
  if (e.event_action !== 'trigger') {
    if (typeof e.dedup_key !== 'string') errors.push(`dedup_key required to ${e.event_action}`);
    return errors;
  }
  const p = e.payload as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) return [...errors, 'payload missing'];
  if (typeof p.summary !== 'string' || p.summary === '' || p.summary.length > 1024) {
    errors.push('payload.summary must be 1-1024 characters');
  }
  if (typeof p.source !== 'string' || p.source === '') errors.push('payload.source missing');
  if (!SEVERITIES.includes(String(p.severity)))
    errors.push(`payload.severity invalid: ${String(p.severity)}`);
  for (const key of ['component', 'group', 'class', 'timestamp']) {
    if (p[key] !== undefined && typeof p[key] !== 'string')
      errors.push(`payload.${key} must be a string`);
  }
  if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp)))) {
    errors.push('payload.timestamp must be ISO 8601');
  }
  if (p.custom_details !== undefined && typeof p.custom_details !== 'object') {
    errors.push('payload.custom_details must be an object');
  }
  return errors;
}

/**
 * Answers as PagerDuty does: 202 with the dedup_key, or 400 "Invalid event" with the errors; or,
 * for a request `fault` answers, what it says (a 503, a 429 when over the rate limit).
 */
export function startPagerDutyReceiver(fault: Fault = () => undefined): Promise<Receiver> {
  return startReceiver((request, index) => {
    const faulty = fault(request, index);
    if (faulty !== undefined) return faulty;
    const errors = pagerDutyErrors(request.body);
    if (errors.length > 0) {
      return {
        status: 400,
        body: JSON.stringify({
          status: 'invalid event',
          message: 'Event object is invalid',
          errors,
        }),
      };
    }
    const dedup = (request.body as { dedup_key?: string }).dedup_key;
    return {
      status: 202,
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedup }),
    };
  });
}
