import type { CompiledPolicies } from './compile.ts';
import {
  type BreakerState,
  type EngineState,
  emptyService,
  type IncidentState,
  isEmptyService,
  type ServiceState,
} from './state.ts';
import { tableGet, tableSet } from './table.ts';
import { addTimer, type Timer } from './timers.ts';
import type { Command, IncidentEvent, Reason } from './types.ts';

type Shared = 'inFlight' | 'inFlightByPolicy' | 'approvals' | 'queue' | 'blast';

/**
 * One decision in progress: copy-on-write over the previous state. The first write to a service
 * (or to a shared record) copies it; later writes in the same decision change the copy. The
 * previous state is never touched, so the caller may keep it, and the result shares everything
 * this decision did not change.
 */
export class Draft {
  readonly compiled: CompiledPolicies;
  readonly now: number;
  readonly state: EngineState;
  readonly commands: Command[] = [];
  readonly events: IncidentEvent[] = [];
  readonly reasons: Reason[] = [];
  readonly #services = new Map<string, ServiceState>();
  readonly #copied = new Set<Shared>();
  readonly #later: Array<() => void> = [];

  constructor(compiled: CompiledPolicies, state: EngineState, now: number) {
    this.compiled = compiled;
    this.now = now;
    this.state = { ...state };
  }

  /** The service as it stands in this decision, read only; undefined if it has no state. */
  peek(name: string): ServiceState | undefined {
    return this.#services.get(name) ?? tableGet(this.state.services, name);
  }

  /** The service, writable (created when new). */
  service(name: string): ServiceState {
    let service = this.#services.get(name);
    if (service === undefined) {
      const base = tableGet(this.state.services, name);
      service = base === undefined ? emptyService() : cloneService(base);
      this.#services.set(name, service);
    }
    return service;
  }

  /** A shared record or list, writable. */
  shared<K extends Shared>(key: K): EngineState[K] {
    if (!this.#copied.has(key)) {
      const value = this.state[key];
      this.state[key] = (Array.isArray(value) ? [...value] : { ...value }) as EngineState[K];
      this.#copied.add(key);
    }
    return this.state[key];
  }

  /** Blast state of a policy, writable. */
  blast(policy: string) {
    const blast = this.shared('blast');
    const current = blast[policy] ?? { unhealthy: 0, page: null, held: [] };
    const copy = { ...current, held: [...current.held] };
    blast[policy] = copy;
    return copy;
  }

  addTimer(timer: Timer): void {
    this.state.timers = addTimer(this.state.timers, timer);
  }

  /** Ask to be judged again at `at` (replacing any earlier wish). */
  wake(incident: IncidentState, at: number): void {
    incident.wakeAt = at;
    this.addTimer({ at, kind: 'wake', service: incident.service, incident: incident.id });
  }

  emit(event: IncidentEvent): void {
    this.events.push(event);
  }

  reason(reason: Reason): Reason {
    this.reasons.push(reason);
    return reason;
  }

  /**
   * Work caused by this decision that must see its effects first (judge the dependents of a
   * service that just recovered): run in the order asked, by `drain`.
   */
  later(work: () => void): void {
    this.#later.push(work);
  }

  drain(): void {
    for (let i = 0; i < this.#later.length; i++) this.#later[i]!();
    this.#later.length = 0;
  }

  /** The new state: touched services written back; services with nothing left are dropped. */
  finish(): EngineState {
    let services = this.state.services;
    for (const [name, service] of this.#services) {
      prune(service);
      services = tableSet(services, name, isEmptyService(service) ? undefined : service);
    }
    this.state.services = services;
    return this.state;
  }
}

/** Drop what carries no information: closed breakers with no attempts, empty counts. */
function prune(service: ServiceState): void {
  for (const [runbook, breaker] of Object.entries(service.breakers)) {
    if (breaker.state === 'closed' && breaker.attempts.length === 0 && breaker.trial === null) {
      delete service.breakers[runbook];
    }
  }
  for (const [policy, times] of Object.entries(service.counts)) {
    if (times.length === 0) delete service.counts[policy];
  }
}

function cloneService(service: ServiceState): ServiceState {
  // Signal records and label maps are never changed in place (only replaced), so they are shared.
  const incidents: Record<string, IncidentState> = {};
  for (const [id, incident] of Object.entries(service.incidents)) {
    incidents[id] = { ...incident, firing: [...incident.firing], pages: [...incident.pages] };
  }
  const breakers: Record<string, BreakerState> = {};
  for (const [runbook, breaker] of Object.entries(service.breakers)) {
    breakers[runbook] = { ...breaker, attempts: [...breaker.attempts] };
  }
  const counts: Record<string, number[]> = {};
  for (const [policy, times] of Object.entries(service.counts)) counts[policy] = [...times];
  return {
    ...service,
    signals: { ...service.signals },
    incidents,
    groups: { ...service.groups },
    breakers,
    counts,
    held: [...service.held],
  };
}
