import { isBlank } from './breaker.ts';
import { chronicSettings, pruneHeals } from './chronic.ts';
import type { CompiledPolicies } from './compile.ts';
import { filterValues } from './records.ts';
import {
  type EngineState,
  emptyService,
  type IncidentState,
  isEmptyService,
  type RuntimeSilence,
  type ServiceState,
} from './state.ts';
import { tableGet, tableSetMany } from './table.ts';
import { addTimer, type Timer } from './timers.ts';
import type { Command, IncidentEvent, Reason } from './types.ts';

type Shared = 'inFlightByPolicy' | 'approvals' | 'queue' | 'blast' | 'silences';

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
  // Most decisions touch one service and nothing shared: the rest is created when first needed.
  readonly #services = new Map<string, ServiceState>();
  #copied: Set<Shared> | null = null;
  #later: Array<() => void> | null = null;
  /** Service states as this decision sees them (null: none), so each is looked up once. */
  readonly #read = new Map<string, ServiceState | null>();
  /** Blast entries this decision copied, which it may change in place. */
  #fresh: Set<object> | null = null;

  constructor(compiled: CompiledPolicies, state: EngineState, now: number) {
    this.compiled = compiled;
    this.now = now;
    this.state = { ...state };
  }

  /** The service as it stands in this decision, read only; undefined if it has no state. */
  peek(name: string): ServiceState | undefined {
    let seen = this.#read.get(name);
    if (seen === undefined) {
      seen = tableGet(this.state.services, name) ?? null;
      this.#read.set(name, seen);
    }
    return seen ?? undefined;
  }

  /** The service, writable (created when new). */
  service(name: string): ServiceState {
    let service = this.#services.get(name);
    if (service === undefined) {
      const base = this.peek(name);
      service = base === undefined ? emptyService() : cloneService(base);
      this.#services.set(name, service);
      // From now on, reads see the writable copy.
      this.#read.set(name, service);
    }
    return service;
  }

  /** The services this decision has written so far, in the order first written. */
  touched(): string[] {
    return [...this.#services.keys()];
  }

  /** A shared record or list, writable. */
  shared<K extends Shared>(key: K): EngineState[K] {
    this.#copied ??= new Set();
    if (!this.#copied.has(key)) {
      const value = this.state[key];
      this.state[key] = (Array.isArray(value) ? [...value] : { ...value }) as EngineState[K];
      this.#copied.add(key);
    }
    return this.state[key];
  }

  /** The silences operators added at run time, writable. */
  silences(): Record<string, RuntimeSilence> {
    // Older snapshots have none: shared() copies `undefined` into a fresh record.
    return this.shared('silences')!;
  }

  /** Blast state of a policy, writable. */
  blast(policy: string) {
    const blast = this.shared('blast');
    const current = blast[policy];
    this.#fresh ??= new Set();
    if (current !== undefined && this.#fresh.has(current)) return current;
    // `held` is shared with the previous state: replace it, never push to it.
    const copy = current === undefined ? { unhealthy: 0, page: null, held: [] } : { ...current };
    this.#fresh.add(copy);
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
    this.#later ??= [];
    this.#later.push(work);
  }

  drain(): void {
    const later = this.#later;
    if (later === null) return;
    for (let i = 0; i < later.length; i++) later[i]!();
    later.length = 0;
  }

  /** The new state: touched services written back; services with nothing left are dropped. */
  finish(): EngineState {
    const writes: Array<[string, ServiceState | undefined]> = [];
    const chronic = chronicSettings(this.compiled);
    for (const [name, service] of this.#services) {
      prune(service);
      pruneHeals(service, this.now, chronic);
      writes.push([name, isEmptyService(service) ? undefined : service]);
    }
    this.state.services = tableSetMany(this.state.services, writes);
    return this.state;
  }
}

/** Drop what carries no information: closed breakers with no attempts, empty counts. */
function prune(service: ServiceState): void {
  service.breakers = filterValues(service.breakers, (breaker) => !isBlank(breaker));
  service.counts = filterValues(service.counts, (times) => times.length > 0);
}

function cloneService(service: ServiceState): ServiceState {
  // Signal records and label maps are never changed in place (only replaced), so they are shared.
  // signals, groups, counts and held are replaced whole when they change, so they are shared too,
  // and so are breakers: the breaker machine returns a new one for every change.
  return {
    ...service,
    incidents: service.incidents.map((incident: IncidentState) => ({
      ...incident,
      firing: incident.firing.slice(),
      pages: incident.pages.slice(),
    })),
    breakers: { ...service.breakers },
  };
}
