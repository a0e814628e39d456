import { TRUNCATION_MARKER } from '../observation.ts';

/**
 * Collects output up to a byte limit and drops the rest, remembering that it did. The producer
 * keeps being drained (a child blocked on a full pipe would never exit), only storage stops.
 */
export class BoundedOutput {
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  truncated = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    const room = this.#limit - this.#bytes;
    if (chunk.length > room) {
      this.truncated = true;
      if (room <= 0) return;
      chunk = chunk.subarray(0, room);
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  text(): string {
    const text = Buffer.concat(this.#chunks, this.#bytes).toString('utf8');
    return this.truncated ? text + TRUNCATION_MARKER : text;
  }
}

/** `bytes` as text of at most `limit` bytes, marked when cut (or when the source was cut). */
export function boundedText(bytes: Buffer, limit: number, alreadyCut: boolean): string {
  const cut = alreadyCut || bytes.length > limit;
  const text = bytes.subarray(0, limit).toString('utf8');
  return cut ? text + TRUNCATION_MARKER : text;
}
