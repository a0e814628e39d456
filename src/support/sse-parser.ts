/** One Server-Sent Event as a reader receives it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Server-Sent Events read as the HTML standard says: lines end in LF, CR or CRLF; `field: value`
 * (one optional space after the colon); `data` lines join with LF; a blank line dispatches; a line
 * starting with a colon is a comment. Feed it text as it arrives, in any pieces.
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | undefined;
  /** The id of the last event dispatched, for Last-Event-ID on reconnect. */
  lastEventId: string | undefined;

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end === -1) break;
      // A CR at the very end may be the first half of a CRLF still on its way.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1));
      const event = this.#line(line);
      if (event) out.push(event);
    }
    return out;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    if (this.#id !== undefined) this.lastEventId = this.#id;
    if (this.#data.length === 0) {
      this.#event = '';
      return undefined;
    }
    const event = {
      id: this.lastEventId,
      event: this.#event || 'message',
      data: this.#data.join('\n'),
    };
    this.#data = [];
    this.#event = '';
    return event;
  }
}
