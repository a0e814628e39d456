import type { PolicyConfig, ServiceConfig } from '../../config/config.ts';
import { compileMatchers, type LabelPredicate } from '../../config/kinds/matcher.ts';
import type { Observation, QueryEvidence } from '../observation.ts';
import type { Signal } from '../signal.ts';
import type { AlertRecord } from './alert-record.ts';
import type { AlertmanagerAlert } from './alertmanager-payload.ts';

/** The signal source of Alertmanager's webhook: the `source` of its signals and alerts. */
export const ALERTMANAGER_SOURCE = 'alertmanager';

/**
 * Go's zero time, which Alertmanager sends as the endsAt of an alert with no end yet: any time
 * before the epoch means "none".
 */
function goTime(text: string): number | undefined {
  const at = Date.parse(text);
  return Number.isNaN(at) || at <= 0 ? undefined : at;
}

/** An alert of the payload as the store keeps it. */
export function alertRecord(
  alert: AlertmanagerAlert,
  receiver: string,
  service: string | undefined,
  receivedAt: number,
): AlertRecord {
  const endsAt = goTime(alert.endsAt);
  return {
    fingerprint: alert.fingerprint,
    source: ALERTMANAGER_SOURCE,
    status: alert.status,
    ...(service !== undefined ? { service } : {}),
    labels: alert.labels,
    annotations: alert.annotations,
    generatorURL: alert.generatorURL,
    receiver,
    // A start mend cannot read (or one before the epoch) is the moment it heard of the alert.
    startsAt: goTime(alert.startsAt) ?? receivedAt,
    ...(endsAt !== undefined ? { endsAt } : {}),
    receivedAt,
  };
}

const selectors = new WeakMap<readonly ServiceConfig[], [string, LabelPredicate][]>();

/**
 * The Service an alert is about: the first, in config order, whose `selector` matches its labels.
 * A service with no selector selects no alert (an empty list of matchers would select all).
 */
export function serviceForAlert(
  services: readonly ServiceConfig[],
  labels: Readonly<Record<string, string>>,
): string | undefined {
  let compiled = selectors.get(services);
  if (compiled === undefined) {
    compiled = services
      .filter((service) => service.selector.length > 0)
      .map((service) => [service.name, compileMatchers(service.selector)]);
    selectors.set(services, compiled);
  }
  return compiled.find(([, selects]) => selects(labels))?.[0];
}

const policyMatchers = new WeakMap<readonly PolicyConfig[], LabelPredicate[]>();

/**
 * The service an alert that no Service selects is judged as, when a Policy matches it on its
 * labels: one that names no services, asks for this source (or any) and has label matchers that
 * all hold. The service is the alert's `service` label, else `job`, else its `alertname` (the
 * incident and the guardrails are per service). Undefined: no policy would act, it stays listed.
 */
export function serviceByPolicy(
  policies: readonly PolicyConfig[],
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const name = labels.service ?? labels.job ?? labels.alertname;
  if (name === undefined || name === '') return undefined;
  let compiled = policyMatchers.get(policies);
  if (compiled === undefined) {
    compiled = policies
      .filter(
        ({ match }) =>
          match.services === null &&
          match.matchers.length > 0 &&
          (match.sources.length === 0 || match.sources.includes(ALERTMANAGER_SOURCE)),
      )
      .map(({ match }) => compileMatchers(match.matchers));
    policyMatchers.set(policies, compiled);
  }
  const seen = { ...labels, source: ALERTMANAGER_SOURCE, service: name };
  return compiled.some((matches) => matches(seen)) ? name : undefined;
}

/**
 * The signal an alert is, for the Service that selects it: keyed by Alertmanager's fingerprint,
 * labelled with the service's labels and the alert's (the identity, `source` and `service`, last,
 * as for a probe), its evidence what the alert said.
 */
export function alertSignal(
  alert: AlertRecord,
  service: ServiceConfig,
  query?: QueryEvidence,
): Signal {
  const firing = alert.status === 'firing';
  const fromAlertmanager = alert.source === ALERTMANAGER_SOURCE;
  // A CloudEvent (kept the same way) is named by its type and said by its summary.
  const noun = fromAlertmanager ? 'alert' : 'event';
  const name = alert.labels.alertname ?? alert.labels.ce_type ?? alert.fingerprint;
  const said = fromAlertmanager
    ? (alert.annotations.summary ?? alert.annotations.description)
    : alert.labels.ce_subject;
  const ended = alert.endsAt !== undefined && alert.endsAt >= alert.startsAt ? alert.endsAt : 0;
  // When it changed, as far as mend can trust the sender's clock: never after it heard of it.
  const at = Math.min(firing ? alert.startsAt : ended || alert.receivedAt, alert.receivedAt);
  const evidence: Observation = {
    ok: !firing,
    startedAt: Math.min(alert.startsAt, alert.receivedAt),
    durationMs: 0,
    status: alert.status,
    ...(firing ? { error: `${noun} ${name} firing${said ? `: ${said}` : ''}` } : {}),
    alert: {
      labels: alert.labels,
      annotations: alert.annotations,
      generatorURL: alert.generatorURL,
      receiver: alert.receiver,
    },
    ...(query !== undefined ? { query } : {}),
  };
  return {
    fingerprint: alert.fingerprint,
    source: alert.source,
    service: service.name,
    labels: {
      ...service.labels,
      ...alert.labels,
      source: alert.source,
      service: service.name,
    },
    status: alert.status,
    startsAt: Math.min(alert.startsAt, alert.receivedAt),
    at,
    summary: firing
      ? `${noun} ${name} firing${said ? `: ${said}` : ''}`
      : `${noun} ${name} resolved`,
    evidence: [evidence],
  };
}

/**
 * The PromQL expression of an alert, from the `generatorURL` Prometheus sets on it (its graph
 * page: `/graph?g0.expr=...`); undefined when the URL carries none.
 */
export function alertExpression(generatorURL: string): string | undefined {
  if (generatorURL === '') return undefined;
  try {
    const expr = new URL(generatorURL).searchParams.get('g0.expr');
    return expr === null || expr.trim() === '' ? undefined : expr;
  } catch {
    return undefined;
  }
}
