/**
 * CloudEvents 1.0 over HTTP (the HTTP protocol binding), read from a request's headers and raw
 * body: structured mode (`application/cloudevents+json`: the event is the body), batch mode
 * (`application/cloudevents-batch+json`: an array of them) and binary mode (the attributes in
 * `ce-*` headers, the body is the data). Pure: bytes in, events or the reason out.
 */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  /** RFC 3339, as sent. */
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  /** JSON data as parsed; text as a string; other bytes as base64 text. Absent: no data. */
  data?: unknown;
  /** Extension attributes, every value as text (CloudEvents' canonical string form). */
  extensions: Record<string, string>;
}

export type EventsMode = 'structured' | 'binary' | 'batch';

export type ParsedEvents =
  | { ok: true; mode: EventsMode; events: CloudEvent[] }
  | { ok: false; status: 400 | 415; error: string };

/** Events one batch may hold: a batch is recorded in one transaction. */
export const MAX_BATCH_EVENTS = 1000;

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const CONTEXT = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
]);
const EXTENSION_NAME = /^[a-z0-9]{1,64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export function parseCloudEvents(headers: Headers, body: Buffer): ParsedEvents {
  const mediaType = mediaTypeOf(header(headers, 'content-type'));
  if (mediaType === STRUCTURED) {
    const parsed = parseJson(body, 'the body');
    if (!parsed.ok) return parsed;
    const event = structuredEvent(parsed.value, 'the event');
    return 'error' in event ? bad(event.error) : { ok: true, mode: 'structured', events: [event] };
  }
  if (mediaType === BATCH) {
    const parsed = parseJson(body, 'the body');
    if (!parsed.ok) return parsed;
    if (!Array.isArray(parsed.value)) {
      return bad(`expected a JSON array of events in batch mode, found ${kindOf(parsed.value)}`);
    }
    if (parsed.value.length > MAX_BATCH_EVENTS) {
      return bad(`a batch holds at most ${MAX_BATCH_EVENTS} events, found ${parsed.value.length}`);
    }
    const events: CloudEvent[] = [];
    for (const [i, item] of parsed.value.entries()) {
      const event = structuredEvent(item, `events[${i}]`);
      if ('error' in event) return bad(event.error);
      events.push(event);
    }
    return { ok: true, mode: 'batch', events };
  }
  if (header(headers, 'ce-specversion') !== undefined) {
    const event = binaryEvent(headers, body, mediaType);
    return 'error' in event ? bad(event.error) : { ok: true, mode: 'binary', events: [event] };
  }
  return {
    ok: false,
    status: 415,
    error: `expected a CloudEvent: Content-Type ${STRUCTURED} (structured mode) or ${BATCH} (batch mode), or ce-specversion, ce-id, ce-source and ce-type headers (binary mode); found Content-Type ${mediaType === '' ? '(none)' : mediaType} and no ce-specversion header`,
  };
}

function structuredEvent(value: unknown, where: string): CloudEvent | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `${where}: expected a JSON object, found ${kindOf(value)}` };
  }
  const fields = value as Record<string, unknown>;
  if ('data' in fields && 'data_base64' in fields) {
    return { error: `${where}: has both data and data_base64; an event has one or the other` };
  }
  const attributes: Record<string, unknown> = {};
  const extensions: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(fields)) {
    if (name === 'data' || name === 'data_base64') continue;
    if (CONTEXT.has(name)) {
      attributes[name] = attribute;
      continue;
    }
    const text = extensionText(attribute);
    if (!EXTENSION_NAME.test(name)) {
      return {
        error: `${where}.${name}: an extension attribute's name is lower-case letters and digits (at most 64)`,
      };
    }
    if (text === undefined) {
      return {
        error: `${where}.${name}: expected a string, number or boolean for an extension attribute, found ${kindOf(attribute)}`,
      };
    }
    extensions[name] = text;
  }
  const event = contextOf(attributes, where, extensions);
  if ('error' in event) return event;
  if ('data_base64' in fields) {
    if (typeof fields.data_base64 !== 'string') {
      return {
        error: `${where}.data_base64: expected base64 text, found ${kindOf(fields.data_base64)}`,
      };
    }
    event.data = fields.data_base64;
  } else if ('data' in fields) {
    event.data = fields.data;
  }
  return event;
}

function binaryEvent(
  headers: Headers,
  body: Buffer,
  mediaType: string,
): CloudEvent | { error: string } {
  const attributes: Record<string, unknown> = {};
  const extensions: Record<string, string> = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!name.startsWith('ce-') || rawValue === undefined) continue;
    const attribute = name.slice(3);
    const encoded = Array.isArray(rawValue) ? rawValue.join(',') : rawValue;
    let value: string;
    try {
      // The binding percent-encodes what a header cannot carry.
      value = decodeURIComponent(encoded);
    } catch {
      return { error: `header ${rawName}: not valid percent-encoding` };
    }
    if (attribute === 'datacontenttype') {
      return { error: 'header ce-datacontenttype: in binary mode the Content-Type header says it' };
    }
    if (CONTEXT.has(attribute)) attributes[attribute] = value;
    else if (EXTENSION_NAME.test(attribute)) extensions[attribute] = value;
    else {
      return {
        error: `header ${rawName}: an extension attribute's name is lower-case letters and digits (at most 64)`,
      };
    }
  }
  const contentType = header(headers, 'content-type');
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  const event = contextOf(attributes, 'the ce-* headers', extensions);
  if ('error' in event) return event;
  if (body.length === 0) return event;
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    const parsed = parseJson(body, 'the data');
    if (!parsed.ok) return { error: parsed.error };
    event.data = parsed.value;
  } else if (mediaType.startsWith('text/') || mediaType === '') {
    event.data = body.toString('utf8');
  } else {
    event.data = body.toString('base64');
  }
  return event;
}

function contextOf(
  attributes: Record<string, unknown>,
  where: string,
  extensions: Record<string, string>,
): CloudEvent | { error: string } {
  if (attributes.specversion !== '1.0') {
    return {
      error: `${where}: specversion must be "1.0" (CloudEvents 1.0), found ${JSON.stringify(attributes.specversion ?? null)}`,
    };
  }
  for (const required of ['id', 'source', 'type'] as const) {
    const value = attributes[required];
    if (typeof value !== 'string' || value === '') {
      return {
        error: `${where}: ${required} is required, a non-empty string; found ${kindOf(value)}`,
      };
    }
  }
  for (const optional of ['subject', 'time', 'datacontenttype', 'dataschema'] as const) {
    const value = attributes[optional];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      return { error: `${where}: ${optional} must be a non-empty string; found ${kindOf(value)}` };
    }
  }
  const time = attributes.time as string | undefined;
  if (time !== undefined && (!RFC3339.test(time) || Number.isNaN(Date.parse(time)))) {
    return { error: `${where}: time must be an RFC 3339 timestamp, found ${JSON.stringify(time)}` };
  }
  const event: CloudEvent = {
    specversion: '1.0',
    id: attributes.id as string,
    source: attributes.source as string,
    type: attributes.type as string,
    extensions,
  };
  for (const optional of ['subject', 'time', 'datacontenttype', 'dataschema'] as const) {
    const value = attributes[optional];
    if (typeof value === 'string') event[optional] = value;
  }
  return event;
}

function extensionText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}

function parseJson(
  body: Buffer,
  what: string,
): { ok: true; value: unknown } | { ok: false; status: 400; error: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch (err) {
    return bad(`${what} is not JSON: ${(err as Error).message}`);
  }
}

function bad(error: string): { ok: false; status: 400; error: string } {
  return { ok: false, status: 400, error };
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}
