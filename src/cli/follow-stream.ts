import { setTimeout as sleep } from 'node:timers/promises';
import { SseParser } from '../support/sse-parser.ts';
import { StartError } from '../support/start-error.ts';
import { terminalLine } from '../support/terminal-text.ts';

export interface FollowOptions {
  url: string;
  token: string | undefined;
  fromStart: boolean;
  json: boolean;
  signal: AbortSignal;
  write(line: string): void;
  warn(line: string): void;
}

/** Reconnects wait this long, doubling up to the cap, and start over once a stream delivers. */
const RETRY_MS = 500;
const RETRY_CAP_MS = 10_000;

/**
 * Follow GET /api/v1/stream: print each event's lines (or the event as JSON) and, when the
 * connection drops, reconnect with Last-Event-ID so nothing is missed or printed twice. A refusal
 * (no token, a bad one, a role that may not read) ends it with the API's reason; Ctrl-C ends it
 * quietly.
 */
export async function followStream(options: FollowOptions): Promise<void> {
  if (!options.token) {
    throw new StartError('no API token: set MEND_TOKEN or give --token-file (mend token create)');
  }
  const parser = new SseParser();
  let after = options.fromStart ? '0-0' : undefined;
  let wait = RETRY_MS;
  while (!options.signal.aborted) {
    let response: Response;
    try {
      response = await fetch(streamUrl(options.url, after), {
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'text/event-stream',
          ...(parser.lastEventId ? { 'last-event-id': parser.lastEventId } : {}),
        },
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal.aborted) return;
      options.warn(
        `mend tail: cannot reach ${options.url} (${(err as Error).message}); retrying\n`,
      );
      await pause(wait, options.signal);
      wait = Math.min(wait * 2, RETRY_CAP_MS);
      continue;
    }
    if (!response.ok) throw new StartError(await refusal(response));
    after = undefined;
    try {
      const decoder = new TextDecoder();
      for await (const chunk of response.body ?? []) {
        wait = RETRY_MS;
        for (const event of parser.push(decoder.decode(chunk, { stream: true })))
          print(options, event);
      }
    } catch (err) {
      if (options.signal.aborted) return;
      options.warn(`mend tail: the stream broke (${(err as Error).message}); reconnecting\n`);
    }
    await pause(wait, options.signal);
  }
}

function streamUrl(base: string, after: string | undefined): string {
  const url = new URL('/api/v1/stream', base);
  if (after !== undefined) url.searchParams.set('after', after);
  return url.toString();
}

function print(
  options: FollowOptions,
  event: { id: string | undefined; event: string; data: string },
) {
  if (options.json) {
    options.write(
      `${JSON.stringify({ id: event.id, event: event.event, data: JSON.parse(event.data) })}\n`,
    );
    return;
  }
  const data = JSON.parse(event.data) as { at?: number; lines?: { level: string; text: string }[] };
  const time = data.at === undefined ? '' : `${new Date(data.at).toISOString().slice(11, 23)} `;
  for (const line of data.lines ?? []) {
    options.write(`${time}${line.level === 'warn' ? 'WARN ' : ''}${terminalLine(line.text)}\n`);
  }
}

async function refusal(response: Response): Promise<string> {
  const body = await response.text();
  try {
    const problem = JSON.parse(body) as { detail?: string };
    return `the API refused the stream (${response.status}): ${problem.detail ?? body}`;
  } catch {
    return `the API refused the stream (${response.status}): ${body.slice(0, 200)}`;
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop sees it and ends.
  }
}
