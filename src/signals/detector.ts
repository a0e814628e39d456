import type { ServiceConfig } from '../config/config.ts';
import { humanDuration } from '../config/kinds/duration.ts';
import { type CheckDefinition, checkDefinitions } from './check-identity.ts';
import {
  applyObservation,
  type CheckState,
  initialCheckState,
  type Transition,
} from './check-state.ts';
import type { Observation } from './observation.ts';
import { PROMETHEUS_SOURCE } from './probes/prometheus.ts';
import { probeOf } from './probes/registry.ts';
import type { ProbeOutcome } from './scheduler.ts';
import { type HeldSeries, SeriesStates, type SeriesTrack } from './series-states.ts';
import { fingerprint, type Signal } from './signal.ts';

interface TrackedCheck {
  definition: CheckDefinition;
  service: ServiceConfig;
  /** The check as a whole: for a check with series, failing while any series is. */
  state: CheckState;
  /** Each series on its own, for a check whose probe returns many (`prometheus`). */
  series?: SeriesStates;
}

/**
 * The one place that owns check state. It judges every probe outcome against the check's
 * thresholds and turns each change of state into a Signal. Startup checks gate the others, as in
 * Kubernetes: until every startup check of a service has passed once, its other checks are not
 * judged, and a startup check that has passed is not judged again.
 */
export class Detector {
  readonly #checks = new Map<string, TrackedCheck>();
  /** Services whose startup checks have all passed (or that have none). */
  readonly #started = new Set<string>();
  readonly #emit: (signal: Signal) => void;
  readonly #firingSince: FiringSince;
  readonly #firingOf: FiringOf;

  /**
   * `firingSince` says whether the record (the decision engine) holds a signal as firing, and
   * since when. A check starts from `unknown` after a restart or a reload that changed it; when it
   * then turns healthy, a signal still firing in the record gets its `resolved`: without it an
   * incident opened before the restart would never close. `firingOf` does the same for a check
   * with series: the series the record holds firing, which may no longer be returned at all.
   */
  constructor(
    emit: (signal: Signal) => void,
    firingSince: FiringSince = () => undefined,
    firingOf: FiringOf = () => [],
  ) {
    this.#emit = emit;
    this.#firingSince = firingSince;
    this.#firingOf = firingOf;
  }

  /**
   * Load a (new) set of services. Checks whose identity and revision are unchanged keep their
   * state, so a reload never forgets that a check is failing. Returns the definitions to probe.
   */
  load(services: readonly ServiceConfig[]): CheckDefinition[] {
    const definitions = checkDefinitions(services);
    const byName = new Map(services.map((service) => [service.name, service]));
    const previous = new Map(this.#checks);
    this.#checks.clear();
    for (const definition of definitions) {
      const kept = previous.get(definition.key);
      const same = kept && kept.definition.revision === definition.revision;
      const series = probeOf(definition.spec).kind === PROMETHEUS_SOURCE;
      this.#checks.set(definition.key, {
        definition,
        service: byName.get(definition.service)!,
        state: same ? kept.state : initialCheckState(),
        ...(series
          ? {
              series:
                (same ? kept.series : undefined) ??
                new SeriesStates(seriesIdentity(definition.service, definition.spec.name)),
            }
          : {}),
      });
    }
    for (const service of services) {
      const hasStartup = service.checks.some((check) => check.role === 'startup');
      const startupChanged = service.checks.some(
        (check) => check.role === 'startup' && !this.#isKeptHealthy(service.name, check.name),
      );
      if (!hasStartup) this.#started.add(service.name);
      else if (startupChanged) this.#started.delete(service.name);
    }
    for (const name of this.#started) if (!byName.has(name)) this.#started.delete(name);
    return definitions;
  }

  observe(outcomes: readonly ProbeOutcome[]): void {
    for (const outcome of outcomes) this.#observeOne(outcome);
  }

  /** A read-only view of every check's state, for /readyz, `mend check` and tests. */
  snapshot(): { key: string; service: string; role: string; state: CheckState }[] {
    return [...this.#checks.values()].map(({ definition, state }) => ({
      key: definition.key,
      service: definition.service,
      role: definition.spec.role,
      state,
    }));
  }

  #isKeptHealthy(service: string, check: string): boolean {
    return this.#checks.get(`${service}/${check}`)?.state.status === 'healthy';
  }

  #observeOne(outcome: ProbeOutcome): void {
    const tracked = this.#checks.get(outcome.key);
    // An outcome from before a reload changed or removed the check says nothing about it now.
    if (!tracked || tracked.definition.revision !== outcome.revision) return;
    const { spec } = tracked.definition;
    const started = this.#started.has(tracked.service.name);
    if (spec.role === 'startup' ? started : !started) return;
    if (tracked.series !== undefined) {
      this.#observeSeries(tracked, tracked.series, outcome.observation);
      return;
    }
    const before = tracked.state.status;
    const transition =
      applyObservation(tracked.state, outcome.observation, spec) ??
      this.#recordedResolution(tracked, before);
    if (spec.role === 'startup' && tracked.state.status === 'healthy') this.#markStarted(tracked);
    if (transition) this.#emit(toSignal(tracked, transition, [...tracked.state.recent]));
  }

  /** The check's state follows its series (for /readyz and startup), each series signals. */
  #observeSeries(tracked: TrackedCheck, series: SeriesStates, observation: Observation): void {
    const { service, spec } = tracked.definition;
    applyObservation(tracked.state, observation, spec);
    if (spec.role === 'startup' && tracked.state.status === 'healthy') this.#markStarted(tracked);
    const changes = series.observe(observation, spec, () => this.#firingOf(service, spec.name));
    for (const { track, transition } of changes) {
      this.#emit(seriesSignal(tracked, track, transition));
    }
  }

  #recordedResolution(tracked: TrackedCheck, before: string): Transition | undefined {
    if (before !== 'unknown' || tracked.state.status !== 'healthy') return undefined;
    const { service, spec } = tracked.definition;
    const startsAt = this.#firingSince(service, fingerprint(identityOf(service, spec.name)));
    if (startsAt === undefined) return undefined;
    const at = tracked.state.since ?? startsAt;
    return { from: 'failing', to: 'healthy', startsAt, at };
  }

  #markStarted(tracked: TrackedCheck): void {
    const service = tracked.service;
    const allPassed = service.checks
      .filter((check) => check.role === 'startup')
      .every((check) => this.#isKeptHealthy(service.name, check.name));
    if (allPassed) this.#started.add(service.name);
  }
}

function toSignal(tracked: TrackedCheck, transition: Transition, evidence: Observation[]): Signal {
  const { definition, service } = tracked;
  const identity = identityOf(service.name, definition.spec.name);
  const labels = {
    ...service.labels,
    ...definition.spec.labels,
    ...identity,
    role: definition.spec.role,
  };
  const failingDeps = evidence
    .at(-1)
    ?.dependencies?.filter((d) => d.health === 'fail')
    .map((d) => d.name);
  const blame = failingDeps?.length ? ` (failing dependencies: ${failingDeps.join(', ')})` : '';
  return transitionSignal(tracked, transition, {
    fingerprint: fingerprint(identity),
    source: 'probe',
    labels,
    evidence,
    blame,
  });
}

/** A check's change of state as a signal, said the same way for a probe and for a series. */
function transitionSignal(
  { definition, service }: TrackedCheck,
  transition: Transition,
  signal: Pick<Signal, 'fingerprint' | 'source' | 'labels' | 'evidence'> & { blame?: string },
): Signal {
  const { failureThreshold, successThreshold } = definition.spec;
  const firing = transition.to === 'failing';
  const summary = firing
    ? `${failureThreshold} consecutive failure${failureThreshold === 1 ? '' : 's'}: ${signal.evidence.at(-1)?.error ?? 'failed'}${signal.blame ?? ''}`
    : `${successThreshold} consecutive success${successThreshold === 1 ? '' : 'es'} after failing for ${humanDuration(transition.at - transition.startsAt)}`;
  return {
    fingerprint: signal.fingerprint,
    source: signal.source,
    service: service.name,
    check: definition.spec.name,
    labels: signal.labels,
    status: firing ? 'firing' : 'resolved',
    startsAt: transition.startsAt,
    at: transition.at,
    summary,
    evidence: signal.evidence,
  };
}

/** One series' signal: labelled with the series' labels, identity and role last. */
function seriesSignal(tracked: TrackedCheck, track: SeriesTrack, transition: Transition): Signal {
  const { definition, service } = tracked;
  const identity = seriesIdentity(service.name, definition.spec.name);
  const labels = track.held ?? {
    ...service.labels,
    ...definition.spec.labels,
    ...track.series,
    ...identity,
    role: definition.spec.role,
  };
  return transitionSignal(tracked, transition, {
    fingerprint: track.fingerprint,
    source: PROMETHEUS_SOURCE,
    labels,
    evidence: [...track.state.recent],
  });
}

function seriesIdentity(service: string, check: string): Record<string, string> {
  return { source: PROMETHEUS_SOURCE, service, check };
}

/** The labels a probe signal's fingerprint is made of. */
function identityOf(service: string, check: string): Record<string, string> {
  return { source: 'probe', service, check };
}

/** Since when the record holds this signal firing, or undefined when it does not. */
export type FiringSince = (service: string, fingerprint: string) => number | undefined;

/** The signals of a check the record holds firing (fingerprint, labels, since when). */
export type FiringOf = (service: string, check: string) => readonly HeldSeries[];
