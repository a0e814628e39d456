import type { DependencyHealth, DependencyStatus } from './observation.ts';

/**
 * Reads the dependencies out of a health document, the body many readiness endpoints return:
 *  - the IETF draft "Health Check Response Format for HTTP APIs" (application/health+json):
 *    `{ status, checks: { "component:measurement": [{ status, componentId, output, ... }] } }`;
 *  - Spring Boot Actuator: `{ status: "UP", components: { db: { status, details }, ... } }`,
 *    components nested to any depth (2.0 and 2.1 put them under `details`).
 * Returns undefined when the value is neither, and [] for a document that lists no dependency.
 * Pure: the probe parses the JSON, this only interprets it.
 */
export function readHealthDocument(
  document: unknown,
  contentType?: string,
): DependencyStatus[] | undefined {
  if (!isObject(document)) return undefined;
  if (isObject(document.checks)) return readIetfChecks(document.checks);
  if (isObject(document.components)) return readSpringComponents(document.components, '');
  if (isObject(document.details) && isSpringComponentMap(document.details)) {
    return readSpringComponents(document.details, '');
  }
  const declared = contentType !== undefined && /^application\/health\+json\b/i.test(contentType);
  if (typeof document.status === 'string' && (declared || healthOf(document.status, true))) {
    return [];
  }
  return undefined;
}

/** Every status spelling of the draft (pass/ok/up, fail/error/down, warn) and of Spring Boot. */
const HEALTH: Record<string, DependencyHealth> = {
  pass: 'pass',
  ok: 'pass',
  up: 'pass',
  warn: 'warn',
  fail: 'fail',
  error: 'fail',
  down: 'fail',
  out_of_service: 'fail',
  unknown: 'warn',
};

/** A status nobody defined is a reason to look, not proof of failure: warn. */
function healthOf(reported: string): DependencyHealth;
function healthOf(reported: string, strict: true): DependencyHealth | undefined;
function healthOf(reported: string, strict = false): DependencyHealth | undefined {
  return HEALTH[reported.toLowerCase()] ?? (strict ? undefined : 'warn');
}

function readIetfChecks(checks: Record<string, unknown>): DependencyStatus[] {
  const found: DependencyStatus[] = [];
  for (const [key, value] of Object.entries(checks)) {
    // The draft says an array per key; some libraries send a single object.
    const items = (Array.isArray(value) ? value : [value]).filter(isObject);
    items.forEach((item, index) => {
      if (typeof item.status !== 'string') return;
      const instance = typeof item.componentId === 'string' ? item.componentId : String(index);
      const name = items.length > 1 ? `${key} (${instance})` : key;
      push(found, name, key.split(':')[0]!, item.status, ietfDetail(item));
    });
  }
  return found;
}

function ietfDetail(item: Record<string, unknown>): string | undefined {
  if (typeof item.output === 'string' && item.output !== '') return item.output;
  if (item.observedValue === undefined) return undefined;
  const unit = typeof item.observedUnit === 'string' ? ` ${item.observedUnit}` : '';
  return `${compact(item.observedValue)}${unit}`;
}

function readSpringComponents(
  components: Record<string, unknown>,
  prefix: string,
): DependencyStatus[] {
  const found: DependencyStatus[] = [];
  for (const [key, component] of Object.entries(components)) {
    if (!isObject(component)) continue;
    // Named as the actuator's own URL names them: /actuator/health/db/primary.
    const name = prefix === '' ? key : `${prefix}/${key}`;
    if (isObject(component.components)) {
      found.push(...readSpringComponents(component.components, name));
    } else if (typeof component.status === 'string') {
      push(found, name, name.split('/')[0]!, component.status, springDetail(component.details));
    }
  }
  return found;
}

function springDetail(details: unknown): string | undefined {
  if (!isObject(details)) return undefined;
  if (typeof details.error === 'string') return bounded(details.error);
  return Object.keys(details).length === 0 ? undefined : compact(details);
}

function isSpringComponentMap(value: Record<string, unknown>): boolean {
  const entries = Object.values(value);
  return entries.length > 0 && entries.every((c) => isObject(c) && typeof c.status === 'string');
}

function push(
  found: DependencyStatus[],
  name: string,
  component: string,
  reported: string,
  detail?: string,
): void {
  const dependency: DependencyStatus = { name, component, health: healthOf(reported), reported };
  if (detail !== undefined) dependency.detail = bounded(detail);
  found.push(dependency);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compact(value: unknown): string {
  return bounded(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Details are evidence for a person, not a copy of the document. */
function bounded(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
