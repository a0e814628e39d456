/**
 * Lines that matched, counted over a sliding window of seconds. Memory is bounded whatever the
 * rate: a count per second of the window, and only the newest `keepLines` lines themselves.
 */
export class MatchWindow {
  readonly #windowMs: number;
  readonly #keepLines: number;
  /** [second, count] oldest first; a second appears once. */
  readonly #buckets: [number, number][] = [];
  #lines: string[] = [];
  #lastAt = 0;

  constructor(windowSeconds: number, keepLines: number) {
    this.#windowMs = windowSeconds * 1000;
    this.#keepLines = keepLines;
  }

  add(at: number, line: string): void {
    const second = Math.floor(at / 1000);
    const last = this.#buckets.at(-1);
    if (last !== undefined && last[0] === second) last[1]++;
    else this.#buckets.push([second, 1]);
    this.#lines.push(line);
    if (this.#lines.length > this.#keepLines * 2) this.#lines = this.#lines.slice(-this.#keepLines);
    this.#lastAt = at;
  }

  /** Matches within the window that ends at `now`. */
  count(now: number): number {
    const oldest = Math.floor((now - this.#windowMs) / 1000);
    while (this.#buckets.length > 0 && this.#buckets[0]![0] <= oldest) this.#buckets.shift();
    if (now - this.#lastAt >= this.#windowMs) this.#lines = [];
    let total = 0;
    for (const [, count] of this.#buckets) total += count;
    return total;
  }

  /** The newest matched lines, oldest first. */
  recent(): string[] {
    return this.#lines.slice(-this.#keepLines);
  }
}
