import type { Command, Input } from '../../src/policy/types.ts';
import type { Signal } from '../../src/signals/signal.ts';

/**
 * A stream of inputs like a busy fleet's: signals firing and resolving (about 3% of the services
 * failing at any time), heal outcomes 5-30 s after each heal, approvals for some requests, and a
 * tick every simulated second. Deterministic (a fixed-seed generator), so runs are comparable.
 */
export class InputStream {
  #seed = 12345;
  #now: number;
  #nextTick: number;
  readonly #stepMs: number;
  readonly #services: number;
  /** Failing services, as a list for picking one at random, and their positions in it. */
  readonly #firing: number[] = [];
  readonly #position = new Map<number, number>();
  /** Outcomes and approvals due later, by time. */
  #due: Input[] = [];

  constructor(services: number, start: number, stepMs: number) {
    this.#services = services;
    this.#now = start;
    this.#nextTick = start + 1000;
    this.#stepMs = stepMs;
  }

  #random(): number {
    this.#seed = (Math.imul(this.#seed, 1103515245) + 12345) >>> 0;
    return this.#seed / 2 ** 32;
  }

  next(): Input {
    const due = this.#due[0];
    if (due !== undefined && due.at <= this.#now) return this.#due.shift()!;
    if (this.#nextTick <= this.#now) {
      const at = this.#nextTick;
      this.#nextTick += 1000;
      return { kind: 'tick', at };
    }
    this.#now += this.#stepMs;
    // Hover around 3% failing: below it fire more often than resolve, above it the reverse.
    const below = this.#firing.length < this.#services * 0.03;
    const fire = this.#firing.length === 0 || this.#random() < (below ? 0.6 : 0.4);
    const service = fire ? this.#pickHealthy() : this.#pickFailing();
    return { kind: 'signal', at: this.#now, signal: this.#signal(service, fire) };
  }

  #pickHealthy(): number {
    for (;;) {
      const service = Math.floor(this.#random() * this.#services);
      if (this.#position.has(service)) continue;
      this.#position.set(service, this.#firing.length);
      this.#firing.push(service);
      return service;
    }
  }

  #pickFailing(): number {
    const index = Math.floor(this.#random() * this.#firing.length);
    const service = this.#firing[index]!;
    const last = this.#firing.pop()!;
    if (last !== service) {
      this.#firing[index] = last;
      this.#position.set(last, index);
    }
    this.#position.delete(service);
    return service;
  }

  #signal(index: number, firing: boolean): Signal {
    const service = `svc-${index}`;
    const check = index % 4 === 0 ? 'ready' : 'live';
    return {
      fingerprint: `${service}/${check}`,
      source: 'probe',
      service,
      check,
      labels: {
        service,
        check,
        source: 'probe',
        role: check === 'ready' ? 'readiness' : 'liveness',
      },
      status: firing ? 'firing' : 'resolved',
      startsAt: this.#now,
      at: this.#now,
      summary: firing ? '3 consecutive failures: connect ECONNREFUSED' : 'healthy again',
      evidence: [],
    };
  }

  /** What the shell would do with the commands: outcomes later, some approvals. */
  observe(commands: readonly Command[]): void {
    for (const command of commands) {
      if (command.kind === 'heal') {
        const r = this.#random();
        this.#schedule({
          kind: 'outcome',
          at: this.#now + 5000 + Math.floor(r * 25_000),
          commandId: command.id,
          result: r < 0.6 ? 'succeeded' : r < 0.95 ? 'failed' : 'unknown',
        });
      } else if (command.kind === 'requestApproval' && this.#random() < 0.7) {
        this.#schedule({
          kind: 'approval',
          at: this.#now + 60_000,
          approvalId: command.approvalId,
          verdict: 'approve',
          actor: 'bench',
        });
      }
    }
  }

  #schedule(input: Input): void {
    let i = this.#due.length;
    while (i > 0 && this.#due[i - 1]!.at > input.at) i--;
    this.#due.splice(i, 0, input);
  }

  get now(): number {
    return this.#now;
  }
}
