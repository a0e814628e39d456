import { humanDuration } from '../config/kinds/duration.ts';
import type { Store } from '../store/store.ts';
import { StoreError } from '../store/store-error.ts';
import { type Clock, systemClock } from '../support/clock.ts';
import type { Logger } from '../support/log.ts';

/** What mend holds in memory because the store did not take it. */
export interface Held {
  signals: number;
  outcomes: number;
}

/** A time the store could not record. */
export interface Outage {
  /** When the first failure came (epoch ms). */
  since: number;
  /** What the store said last: the newest failure, with what to do. */
  reason: string;
  /** When mend gives up and exits, unless the store recovers first. */
  exitAt: number;
  /** The most signals held at once during it. */
  mostHeld: number;
}

export interface StoreOutageOptions {
  /**
   * The store itself, not the watched one: its ping proves it still answers, and the
   * `store.outage` note written at the end is the write that proves it records again.
   */
  store: Pick<Store, 'ping' | 'appendAudit' | 'listIncidents' | 'appendIncidentEvent'>;
  /** The store as messages name it. */
  path: string;
  /** Another reason the store must not be used now (its runner lock lost), or undefined. */
  problem?: () => string | undefined;
  held: () => Held;
  /** Read when an outage begins (a reload applies to the next one). */
  exitAfterMs: () => number;
  log: Logger;
  clock?: Clock;
  /** How often to look at the store when nothing else does, and during an outage. */
  checkEveryMs?: number;
  /** How often an outage is said again in the log. */
  remindEveryMs?: number;
  /** The outage began: page (once). Not called once mend is stopping. */
  onDown(outage: Outage, held: Held): void;
  /** The store records again and the note is written: resume, resolve the page. */
  onRecovered(outage: Outage, until: number): void;
  /** The bound passed with the store still down: the owner stops mend, non-zero. */
  onExpired(outage: Outage): void;
}

export const OUTAGE_CHECK_EVERY_MS = 1000;
export const OUTAGE_REMIND_EVERY_MS = 15_000;

/**
 * Knows whether the store records. An outage begins at the first StoreError any part of mend
 * meets (the watched store reports each, store/watched-store.ts), or when the periodic check
 * finds the store or its lock gone; it is said once (one error line, one page, then a reminder
 * every 15 s), and ends only when everything held was recorded (the signal queue retries on its
 * own) and a write of the `store.outage` note (audit log, and each open incident's timeline)
 * succeeds. Past `exitAfterMs` it gives up, and the owner stops mend.
 */
export class StoreOutage {
  readonly #options: StoreOutageOptions;
  readonly #clock: Clock;
  readonly #checkEveryMs: number;
  readonly #remindEveryMs: number;
  #outage: Outage | undefined;
  #remindedAt = 0;
  #tick: unknown;
  #bound: unknown;
  #started = false;
  #stopping = false;
  #stopped = false;

  constructor(options: StoreOutageOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#checkEveryMs = options.checkEveryMs ?? OUTAGE_CHECK_EVERY_MS;
    this.#remindEveryMs = options.remindEveryMs ?? OUTAGE_REMIND_EVERY_MS;
  }

  /** Watch from now on; failures before this are the start's to report, and fail it. */
  start(): void {
    this.#started = true;
    this.#schedule();
  }

  /** The outage now, or undefined while the store records. */
  get current(): Outage | undefined {
    return this.#outage;
  }

  /** The outage in one line, for /readyz and the log; undefined while the store records. */
  describe(): string | undefined {
    const outage = this.#outage;
    if (outage === undefined) return undefined;
    const now = this.#clock.now();
    const held = this.#options.held();
    return `${outage.reason} (cannot record since ${iso(outage.since)}, ${humanDuration(now - outage.since)}; ${held.signals} signal(s) held; mend exits at ${iso(outage.exitAt)} unless the store recovers)`;
  }

  /** A part of mend met a StoreError. */
  failed(error: StoreError): void {
    if (!this.#started || this.#stopped) return;
    if (this.#outage === undefined) this.#begin(error.message);
    else this.#outage.reason = error.message;
  }

  /** mend is stopping: an outage that begins now is said by the exit line, not by a page. */
  stopping(): void {
    this.#stopping = true;
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#tick);
    this.#clock.clearTimeout(this.#bound);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#tick = this.#clock.setTimeout(() => {
      this.#check()
        .catch((error: unknown) => this.#options.log.error({ err: error }, 'store check failed'))
        .finally(() => this.#schedule());
    }, this.#checkEveryMs);
  }

  async #check(): Promise<void> {
    const problem = this.#options.problem?.();
    const outage = this.#outage;
    if (outage === undefined) {
      if (problem !== undefined) this.#begin(problem);
      else await this.#ping();
      return;
    }
    outage.mostHeld = Math.max(outage.mostHeld, this.#options.held().signals);
    if (problem !== undefined) outage.reason = problem;
    // The signal queue retries what it holds; once it has recorded all of it, the note is the
    // write that proves the store records again.
    else if (this.#options.held().signals === 0) await this.#recover(outage);
    if (this.#outage === outage) this.#remind(outage);
  }

  async #ping(): Promise<void> {
    try {
      await this.#options.store.ping();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      this.failed(error);
    }
  }

  #begin(reason: string): void {
    const since = this.#clock.now();
    const exitAfterMs = this.#options.exitAfterMs();
    const held = this.#options.held();
    const outage: Outage = { since, reason, exitAt: since + exitAfterMs, mostHeld: held.signals };
    this.#outage = outage;
    this.#remindedAt = since;
    this.#options.log.error(
      `the store cannot record: ${reason}. mend acts only on what it has recorded, holds the ${held.signals} signal(s) it could not record, pages once, and exits in ${humanDuration(exitAfterMs)} (at ${iso(outage.exitAt)}) unless the store recovers`,
    );
    this.#bound = this.#clock.setTimeout(() => {
      if (this.#outage === outage && !this.#stopped) this.#options.onExpired(outage);
    }, exitAfterMs);
    if (!this.#stopping) this.#options.onDown(outage, held);
  }

  #remind(outage: Outage): void {
    const now = this.#clock.now();
    // Stopping: the exit line says it all.
    if (this.#stopping || now - this.#remindedAt < this.#remindEveryMs) return;
    this.#remindedAt = now;
    this.#options.log.error(
      `the store still cannot record (for ${humanDuration(now - outage.since)}): ${outage.reason}; ${this.#options.held().signals} signal(s) held; mend exits in ${humanDuration(Math.max(0, outage.exitAt - now))} unless it recovers`,
    );
  }

  async #recover(outage: Outage): Promise<void> {
    const { store, path, log } = this.#options;
    const until = Math.round(this.#clock.now());
    const durationMs = until - outage.since;
    const text = `the store could not record from ${iso(outage.since)} to ${iso(until)} (${humanDuration(durationMs)}): ${outage.reason}; the ${outage.mostHeld} signal(s) held meanwhile were recorded late, and mend acted only on what it had recorded`;
    try {
      await store.appendAudit({
        at: until,
        actor: 'controller',
        action: 'store.outage',
        target: `store/${path}`,
        result: 'ok',
        params: {
          since: Math.round(outage.since),
          until,
          durationMs,
          reason: outage.reason,
          heldSignals: outage.mostHeld,
        },
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      outage.reason = error.message;
      return;
    }
    this.#outage = undefined;
    this.#clock.clearTimeout(this.#bound);
    log.info(`store ${path} records again after ${humanDuration(durationMs)}: ${text}`);
    await this.#noteOnOpenIncidents(until, text);
    this.#options.onRecovered(outage, until);
  }

  /** Each incident open during the outage says so on its timeline (best effort: it is noted). */
  async #noteOnOpenIncidents(at: number, message: string): Promise<void> {
    const { store, log } = this.#options;
    try {
      for (const incident of await store.listIncidents({ status: 'open' })) {
        await store.appendIncidentEvent({
          incidentId: incident.id,
          at,
          type: 'store.outage',
          payload: { message },
        });
      }
    } catch (error) {
      log.warn({ err: error }, 'cannot note the store outage on the open incidents');
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
