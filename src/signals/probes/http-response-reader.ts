/**
 * An incremental HTTP/1.1 response reader that parses only what a probe needs: the status line,
 * four headers and the body framing (Content-Length, chunked, or until close), over bytes that
 * arrive in arbitrary pieces. A general client parses every header into objects; at ten thousand
 * probes a second that work is most of the CPU a probe costs.
 */

export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  framing: BodyFraming;
  /** The declared length when framing is 'length'. */
  contentLength: number;
}

/** How much of the body to keep, and whether to wait for more of it than has already arrived. */
export interface BodyPlan {
  limit: number;
  wait: boolean;
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const HTTP_PREFIX = Buffer.from('HTTP/');
const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})(?:[ \t]|$)/;

export class ResponseReader {
  head: ResponseHead | undefined;
  /** Set when the bytes are not a valid response; the reader is then done. */
  error: string | undefined;
  /** No more bytes are wanted: the body ended, the limit was reached, or the plan said stop. */
  done = false;
  /** The body ended as its framing says (so `body` is all of it). */
  complete = false;
  /** Body bytes received so far, kept or not. */
  bodySeen = 0;

  readonly #isHeadRequest: boolean;
  readonly #plan: (head: ResponseHead) => BodyPlan;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;
  #limit = 0;
  #pending: Buffer | undefined;
  #remaining = 0;
  #chunkState: 'size' | 'data' | 'data-end' = 'size';
  #line = '';

  constructor(isHeadRequest: boolean, plan: (head: ResponseHead) => BodyPlan) {
    this.#isHeadRequest = isHeadRequest;
    this.#plan = plan;
  }

  /** The kept body bytes (at most the plan's limit). */
  body(): Buffer {
    return this.#kept.length === 1 ? (this.#kept[0] as Buffer) : Buffer.concat(this.#kept);
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    if (this.head !== undefined) {
      this.#readBody(chunk, 0);
      return;
    }
    const bytes = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    const found = this.#readHead(bytes);
    if (found === undefined) return;
    const [head, bodyStart] = found;
    this.head = head;
    const plan = this.#plan(head);
    this.#limit = plan.limit;
    if (head.framing === 'none') {
      this.#finish(true);
      return;
    }
    this.#readBody(bytes, bodyStart);
    if (!plan.wait) this.done = true;
  }

  /** The server closed the connection. */
  end(): void {
    if (this.done) return;
    if (this.head === undefined) {
      this.#fail(
        this.#pending === undefined
          ? 'the server closed the connection without sending a response'
          : 'the server closed the connection in the middle of the response headers',
      );
    } else if (this.head.framing === 'close') {
      this.#finish(true);
    } else {
      const expected = this.head.framing === 'length' ? ` of ${this.head.contentLength}` : '';
      this.#fail(`the server closed the connection after ${this.bodySeen}${expected} body bytes`);
    }
  }

  /** The head and where the body starts; undefined when more bytes are needed (or on error). */
  #readHead(bytes: Buffer): [ResponseHead, number] | undefined {
    let start = 0;
    for (;;) {
      const prefix = Math.min(HTTP_PREFIX.length, bytes.length - start);
      if (bytes.compare(HTTP_PREFIX, 0, prefix, start, start + prefix) !== 0) {
        this.#fail(`not an HTTP response: ${preview(bytes.subarray(start))}`);
        return undefined;
      }
      const end = headEnd(bytes, start);
      if (end === undefined) {
        if (bytes.length - start > MAX_HEAD_BYTES) {
          this.#fail(`response headers larger than ${MAX_HEAD_BYTES / 1024} KiB`);
        } else {
          this.#pending =
            start === 0 ? bytes : start < bytes.length ? bytes.subarray(start) : undefined;
        }
        return undefined;
      }
      const head = this.#parseHead(bytes.toString('latin1', start, end.text));
      if (head === undefined) return undefined;
      // Interim answers (100 Continue, 103 Early Hints) precede the real one.
      if (head.status < 200 && head.status !== 101) {
        start = end.body;
        continue;
      }
      return [head, end.body];
    }
  }

  #parseHead(text: string): ResponseHead | undefined {
    const lines = text.split('\n');
    const statusLine = (lines[0] ?? '').trimEnd();
    const match = STATUS_LINE.exec(statusLine);
    if (match === null) {
      this.#fail(`not an HTTP response: ${JSON.stringify(statusLine.slice(0, 60))}`);
      return undefined;
    }
    const status = Number(match[1]);
    let contentType: string | undefined;
    let location: string | undefined;
    let transferEncoding: string | undefined;
    let contentLength: string | undefined;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const value = line.slice(colon + 1).trim();
      switch (line.slice(0, colon).trim().toLowerCase()) {
        case 'content-type':
          contentType = value;
          break;
        case 'location':
          location = value;
          break;
        case 'transfer-encoding':
          transferEncoding =
            transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
          break;
        case 'content-length':
          if (contentLength !== undefined && contentLength !== value) {
            this.#fail(`conflicting Content-Length headers: ${contentLength}, ${value}`);
            return undefined;
          }
          contentLength = value;
          break;
      }
    }
    const head: ResponseHead = {
      status,
      contentType,
      location,
      framing: 'close',
      contentLength: 0,
    };
    if (this.#isHeadRequest || status < 200 || status === 204 || status === 304) {
      head.framing = 'none';
    } else if (transferEncoding !== undefined) {
      // RFC 9112 6.3: chunked last means chunked; any other coding is read until close.
      head.framing = /(?:^|,)\s*chunked\s*$/i.test(transferEncoding) ? 'chunked' : 'close';
    } else if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength)) {
        this.#fail(`invalid Content-Length: ${JSON.stringify(contentLength.slice(0, 40))}`);
        return undefined;
      }
      head.contentLength = Number(contentLength);
      head.framing = head.contentLength === 0 ? 'none' : 'length';
      this.#remaining = head.contentLength;
    }
    return head;
  }

  #readBody(bytes: Buffer, offset: number): void {
    const framing = this.head?.framing;
    if (framing === 'length') {
      const take = Math.min(this.#remaining, bytes.length - offset);
      this.#keep(bytes, offset, offset + take);
      this.#remaining -= take;
      if (this.#remaining === 0) this.#finish(true);
    } else if (framing === 'close') {
      this.#keep(bytes, offset, bytes.length);
    } else if (framing === 'chunked') {
      this.#readChunked(bytes, offset);
    }
    if (!this.done && this.#keptBytes >= this.#limit) this.#finish(false);
  }

  #readChunked(bytes: Buffer, start: number): void {
    let offset = start;
    while (offset < bytes.length && !this.done) {
      if (this.#chunkState === 'data') {
        const take = Math.min(this.#remaining, bytes.length - offset);
        this.#keep(bytes, offset, offset + take);
        offset += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#chunkState = 'data-end';
        if (this.#keptBytes >= this.#limit) return;
        continue;
      }
      const newline = bytes.indexOf(0x0a, offset);
      const stop = newline === -1 ? bytes.length : newline;
      this.#line += bytes.toString('latin1', offset, stop);
      offset = stop + 1;
      if (this.#line.length > MAX_CHUNK_LINE) {
        this.#fail('invalid chunked encoding: chunk line too long');
        return;
      }
      if (newline === -1) return;
      const line = this.#line.trim();
      this.#line = '';
      if (this.#chunkState === 'data-end') {
        if (line !== '') {
          this.#fail('invalid chunked encoding: no CRLF after chunk data');
          return;
        }
        this.#chunkState = 'size';
        continue;
      }
      const size = line.split(';', 1)[0]?.trim() ?? '';
      if (!/^[0-9a-fA-F]{1,12}$/.test(size)) {
        this.#fail(`invalid chunk size ${JSON.stringify(size.slice(0, 20))}`);
        return;
      }
      this.#remaining = Number.parseInt(size, 16);
      // The last chunk ends the body; trailers, if any, are not needed.
      if (this.#remaining === 0) {
        this.#finish(true);
        return;
      }
      this.#chunkState = 'data';
    }
  }

  #keep(bytes: Buffer, start: number, end: number): void {
    this.bodySeen += end - start;
    const room = this.#limit - this.#keptBytes;
    const stop = Math.min(end, start + room);
    if (stop <= start) return;
    this.#kept.push(start === 0 && stop === bytes.length ? bytes : bytes.subarray(start, stop));
    this.#keptBytes += stop - start;
  }

  #finish(ended: boolean): void {
    this.done = true;
    // Complete means the kept bytes are the whole body, not only that the body ended.
    this.complete = ended && this.bodySeen === this.#keptBytes;
  }

  #fail(message: string): void {
    this.error = message;
    this.done = true;
  }
}

/** The end of the header block (blank line, CRLF or bare LF), searched from `start`. */
function headEnd(bytes: Buffer, start: number): { text: number; body: number } | undefined {
  let from = start;
  for (;;) {
    const newline = bytes.indexOf(0x0a, from);
    if (newline === -1) return undefined;
    const next = bytes[newline + 1];
    if (next === 0x0a) return { text: newline, body: newline + 2 };
    if (next === 0x0d && bytes[newline + 2] === 0x0a) return { text: newline, body: newline + 3 };
    if (next === undefined || (next === 0x0d && newline + 2 >= bytes.length)) return undefined;
    from = newline + 1;
  }
}

/** The first bytes of something that is not HTTP, printable, so the line says what it was. */
function preview(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1', 0, Math.min(bytes.length, 40)));
}
