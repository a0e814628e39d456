import type { ServiceConfig } from '../../config/config.ts';
import {
  compileEventCondition,
  type EventCelContext,
  type EventCondition,
  type EventSelectorSpec,
} from '../../config/kinds/event-selector.ts';
import { fingerprint } from '../signal.ts';
import type { AlertRecord } from './alert-record.ts';
import type { CloudEvent } from './cloudevents.ts';

/** The signal source of POST /api/v1/events: the `source` of its signals and kept records. */
export const CLOUDEVENTS_SOURCE = 'cloudevents';

/** The event's data kept with it, as JSON text, at most this many characters. */
const DATA_CHARS = 4096;

/** What a `status` (extension, or `data.status`) says when the condition is over. */
const RESOLVED_WORDS = new Set(['resolved', 'ok', 'cleared', 'recovered']);

interface CompiledSelector {
  matches(event: CloudEvent, context: EventCelContext): boolean;
  resolved(context: EventCelContext): boolean;
}

const compiledByServices = new WeakMap<readonly ServiceConfig[], [string, CompiledSelector[]][]>();

/**
 * The record an event is kept as (beside Alertmanager's alerts: one row per condition, its latest
 * state, ordered by time and made idempotent the same way), for the first Service in config order
 * with an `events` entry that selects it; none: kept as unmatched, and judged by the default rule.
 *
 * The condition an event is about is its `source` and `subject` (or its `type` when it has no
 * subject): a later event of the same source and subject that says it is over resolves it.
 */
export function eventRecord(
  services: readonly ServiceConfig[],
  event: CloudEvent,
  receivedAt: number,
): AlertRecord {
  const context = celContext(event);
  let service: string | undefined;
  let resolved = defaultResolved(context);
  for (const [name, selectors] of compiled(services)) {
    const selector = selectors.find((s) => s.matches(event, context));
    if (selector === undefined) continue;
    service = name;
    resolved = selector.resolved(context);
    break;
  }
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.extensions)) labels[`ce_${name}`] = value;
  Object.assign(labels, {
    ce_type: event.type,
    ce_source: event.source,
    ...(event.subject !== undefined ? { ce_subject: event.subject } : {}),
  });
  const at = event.time !== undefined ? Date.parse(event.time) : receivedAt;
  const summary = `${event.type} from ${event.source}${event.subject !== undefined ? ` about ${event.subject}` : ''}`;
  return {
    fingerprint: fingerprint({
      source: CLOUDEVENTS_SOURCE,
      ce_source: event.source,
      condition: event.subject ?? event.type,
    }),
    source: CLOUDEVENTS_SOURCE,
    status: resolved ? 'resolved' : 'firing',
    ...(service !== undefined ? { service } : {}),
    labels,
    annotations: {
      summary,
      id: event.id,
      ...(event.data !== undefined ? { data: dataText(event.data) } : {}),
    },
    generatorURL: /^https?:\/\//i.test(event.source) ? event.source : '',
    receiver: CLOUDEVENTS_SOURCE,
    startsAt: at,
    ...(resolved ? { endsAt: at } : {}),
    receivedAt,
  };
}

function compiled(services: readonly ServiceConfig[]): [string, CompiledSelector[]][] {
  let entries = compiledByServices.get(services);
  if (entries === undefined) {
    entries = services
      .filter((service) => service.events.length > 0)
      .map((service) => [service.name, service.events.map(compileSelector)]);
    compiledByServices.set(services, entries);
  }
  return entries;
}

function compileSelector(spec: EventSelectorSpec): CompiledSelector {
  const types = spec.type === undefined ? undefined : [spec.type].flat();
  const when: EventCondition | undefined =
    spec.when === undefined ? undefined : compileEventCondition(spec.when);
  const resolvedWhen: EventCondition | undefined =
    spec.resolvedWhen === undefined ? undefined : compileEventCondition(spec.resolvedWhen);
  return {
    matches: (event, context) =>
      (types === undefined || types.includes(event.type)) &&
      (spec.source === undefined || spec.source === event.source) &&
      (spec.subject === undefined || spec.subject === event.subject) &&
      (when === undefined || when(context)),
    resolved: (context) => (resolvedWhen ? resolvedWhen(context) : defaultResolved(context)),
  };
}

function defaultResolved(context: EventCelContext): boolean {
  const said = context.event.extensions.status ?? statusOf(context.data);
  return said !== undefined && RESOLVED_WORDS.has(said.toLowerCase());
}

function statusOf(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const status = (data as Record<string, unknown>).status;
  return typeof status === 'string' ? status : undefined;
}

function celContext(event: CloudEvent): EventCelContext {
  return {
    event: {
      id: event.id,
      source: event.source,
      type: event.type,
      subject: event.subject ?? '',
      time: event.time ?? '',
      extensions: event.extensions,
    },
    data: event.data ?? null,
  };
}

function dataText(data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text.length > DATA_CHARS ? `${text.slice(0, DATA_CHARS)}…` : text;
}
