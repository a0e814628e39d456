import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

/**
 * Where a followed file was read up to: the file by its identity (device and inode, as text since
 * an inode can pass 2^53) and the byte offset after the last whole line read. Kept in the store
 * (probe_cursors), so a restarted mend goes on where it stopped instead of reading old lines again.
 */
export interface LogCursor {
  file: string;
  offset: number;
}

export function isLogCursor(value: unknown): value is LogCursor {
  if (value === null || typeof value !== 'object') return false;
  const { file, offset } = value as Record<string, unknown>;
  return typeof file === 'string' && Number.isSafeInteger(offset) && (offset as number) >= 0;
}

export interface LogRead {
  /** Whole lines read since the last call, oldest first, each cut to maxLineBytes. */
  lines: string[];
  cursor?: LogCursor;
  /** What happened to the file that a person should know: rotated, truncated, not there yet. */
  notes: string[];
  /** The file does not exist (yet): not a failure of the service. */
  missing: boolean;
  /** More was written than one read takes: the rest is read next time. */
  behind: boolean;
}

export interface LogFollowerOptions {
  /** Bytes one read takes at most, so a burst of lines cannot stall a probe worker. */
  maxReadBytes: number;
  maxLineBytes: number;
  /** Where to go on from (the store's cursor), when this follower replaces an earlier one. */
  resume?: LogCursor;
  /** Where the first file is read from when there is no cursor for it: its end by default. */
  startAt?: 'end' | 'start';
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Follows one file by name as `tail -F` does, across the three ways logs are rotated:
 * - **rename** (logrotate's default, `mv app.log app.log.1`, then a new app.log): the old file
 *   is read to its end through the handle kept open, then the new file from its start;
 * - **copy-truncate**: the same file shrinks below the offset, so reading starts again at 0;
 * - **deletion**: the name is gone; the lines already written are read, and the file is picked up
 *   from its start when it comes back.
 * The first time a file is opened with no cursor for it, reading starts at its end: old lines are
 * history, not news. A file that replaced it (rotation) is read from its start.
 */
export class LogFollower {
  readonly #path: string;
  readonly #options: LogFollowerOptions;
  #resume: LogCursor | undefined;
  #signal: AbortSignal | undefined;
  #handle: FileHandle | undefined;
  #file: string | undefined;
  #offset = 0;
  /** Once a file was followed or missed, a new one under the name is read from its start. */
  #seenOne = false;

  constructor(path: string, options: LogFollowerOptions) {
    this.#path = path;
    this.#options = options;
    this.#resume = options.resume;
  }

  /**
   * Whole lines written since the last read. Rejects on errors other than a missing file, and
   * between chunks when `signal` aborts (the probe's timeout, mend's stop).
   */
  async read(signal?: AbortSignal): Promise<LogRead> {
    this.#signal = signal;
    const result: LogRead = { lines: [], notes: [], missing: false, behind: false };
    let budget = this.#options.maxReadBytes;
    if (this.#handle === undefined && !(await this.#openCurrent(result))) {
      result.missing = true;
      return this.#finish(result);
    }
    budget -= await this.#drain(result, budget);
    if (budget <= 0) {
      result.behind = true;
      return this.#finish(result);
    }
    const now = await identityOf(this.#path);
    if (now === undefined) {
      // Deleted: what was written before is read; the next file under the name is new.
      if (this.#file !== undefined) result.notes.push(`${this.#path} was removed`);
      await this.#close();
      result.missing = true;
      return this.#finish(result);
    }
    if (now.file !== this.#file) {
      result.notes.push(`${this.#path} was rotated (a new file under the name)`);
      await this.#close();
      if (await this.#openCurrent(result)) await this.#drain(result, budget);
      return this.#finish(result);
    }
    if (now.size < this.#offset) {
      result.notes.push(`${this.#path} was truncated (copy-truncate): reading from its start`);
      this.#offset = 0;
      await this.#drain(result, budget);
    }
    return this.#finish(result);
  }

  async close(): Promise<void> {
    await this.#close();
  }

  #finish(result: LogRead): LogRead {
    if (this.#file !== undefined) result.cursor = { file: this.#file, offset: this.#offset };
    return result;
  }

  /** Opens the file now under the name; false when there is none. */
  async #openCurrent(result: LogRead): Promise<boolean> {
    let handle: FileHandle;
    try {
      // Checked before the open, and opened non-blocking: opening a FIFO for reading waits for a
      // writer, in a thread of libuv's small pool that no timeout can take back.
      if (!(await stat(this.#path)).isFile()) {
        throw new Error(`${this.#path} is not a regular file`);
      }
      handle = await open(this.#path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // Whatever is written to a file that comes later is news.
      this.#seenOne = true;
      return false;
    }
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) {
      await handle.close();
      throw new Error(`${this.#path} is not a regular file`);
    }
    const file = `${info.dev}:${info.ino}`;
    const resume = this.#resume;
    this.#handle = handle;
    this.#file = file;
    if (resume !== undefined && resume.file === file && resume.offset <= Number(info.size)) {
      this.#offset = resume.offset;
    } else if (this.#seenOne || resume !== undefined || this.#options.startAt === 'start') {
      // A file that is not the one the cursor names replaced it while mend was away: all news.
      this.#offset = 0;
      if (resume !== undefined && this.#seenOne === false) {
        result.notes.push(
          `${this.#path} is a new file since mend last read it: reading from its start`,
        );
      }
    } else {
      this.#offset = Number(info.size);
    }
    this.#resume = undefined;
    this.#seenOne = true;
    return true;
  }

  /** Reads whole lines from the offset to the end of the open file, at most `budget` bytes. */
  async #drain(result: LogRead, budget: number): Promise<number> {
    const handle = this.#handle;
    if (handle === undefined) return 0;
    const { maxLineBytes } = this.#options;
    let used = 0;
    let pending: Buffer = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    while (used < budget) {
      this.#signal?.throwIfAborted();
      const { bytesRead } = await handle.read(
        chunk,
        0,
        Math.min(CHUNK_BYTES, budget - used),
        this.#offset + pending.length,
      );
      if (bytesRead === 0) break;
      used += bytesRead;
      pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = pending.indexOf(10); nl !== -1; nl = pending.indexOf(10, start)) {
        result.lines.push(lineText(pending.subarray(start, nl), maxLineBytes));
        start = nl + 1;
      }
      this.#offset += start;
      pending = pending.subarray(start);
      // A line longer than any line may be is taken as it is, so it cannot block the file.
      if (pending.length >= maxLineBytes) {
        result.lines.push(lineText(pending, maxLineBytes));
        this.#offset += pending.length;
        pending = Buffer.alloc(0);
      }
    }
    return used;
  }

  async #close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    this.#file = undefined;
    await handle?.close();
  }
}

async function identityOf(path: string): Promise<{ file: string; size: number } | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return { file: `${info.dev}:${info.ino}`, size: Number(info.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function lineText(bytes: Buffer, maxLineBytes: number): string {
  const cut = bytes.length > maxLineBytes;
  const text = bytes.subarray(0, maxLineBytes).toString('utf8').replace(/\r$/, '');
  return cut ? `${text}…` : text;
}
