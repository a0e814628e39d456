import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the run a receiver starts plays out. */
export interface Script {
  /** `success` / `failure` after `polls` status requests; `never`: it runs on forever. */
  ends: 'success' | 'failure' | 'never';
  /** Status requests answered "still running" before the end (default 2). */
  polls?: number;
  /** The first status request is rate limited (the API's own form of it), with Retry-After 1. */
  rateLimited?: boolean;
  /** The first start is refused by the rate limit (nothing started), with Retry-After 1. */
  rateLimitedStart?: boolean;
  /** Held running until release() (a test that kills mend meanwhile). */
  held?: boolean;
  /** Written `ok` when the run succeeds: what the repaired service's check reads. */
  repairs?: string;
}

export interface Seen {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A CI/CD API on loopback, speaking the real request and answer formats of one system. */
export interface Receiver {
  url: string;
  /** Requests that started a run (accepted ones). */
  starts: number;
  /** Requests that asked how the run goes (the status of a run, pipeline, build). */
  statusRequests: number;
  seen: Seen[];
  /** Every way a request differed from the API's documented format; empty when all matched. */
  problems: string[];
  /** When each rate-limited answer was given, and when the next request came. */
  limitedAt: number[];
  release(): void;
  close(): Promise<void>;
}

/** What a system's handler needs: the request, the answer, the receiver's state. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  body: string;
  state: RunState;
  problem(what: string): void;
  json(status: number, doc: unknown, headers?: Record<string, string>): void;
}

export interface RunState {
  script: Script;
  receiver: Receiver;
  base: string;
  /** Called on a status request: what the run is now. */
  progress(): Promise<'running' | 'success' | 'failure' | 'limited'>;
}

export async function startReceiver(
  script: Script,
  handle: (x: Exchange) => Promise<unknown> | unknown,
): Promise<Receiver> {
  let released = !script.held;
  let polls = 0;
  let limited = false;
  const receiver: Receiver = {
    url: '',
    starts: 0,
    statusRequests: 0,
    seen: [],
    problems: [],
    limitedAt: [],
    release() {
      released = true;
    },
    close: async () => {},
  };
  const state: RunState = {
    script,
    receiver,
    base: '',
    async progress() {
      receiver.statusRequests++;
      if (script.rateLimited && !limited) {
        limited = true;
        receiver.limitedAt.push(Date.now());
        return 'limited';
      }
      polls++;
      if (script.ends === 'never' || !released || polls <= (script.polls ?? 2)) return 'running';
      if (script.ends === 'success' && script.repairs) await writeFile(script.repairs, 'ok\n');
      return script.ends;
    },
  };
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    receiver.seen.push({
      at: Date.now(),
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
    });
    const url = new URL(req.url ?? '/', 'http://receiver');
    const exchange: Exchange = {
      req,
      res,
      path: url.pathname,
      query: url.searchParams,
      body,
      state,
      problem(what) {
        receiver.problems.push(`${req.method} ${req.url}: ${what}`);
      },
      json(status, doc, headers = {}) {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(doc === undefined ? '' : JSON.stringify(doc));
      },
    };
    try {
      await handle(exchange);
    } catch (err) {
      exchange.problem(String(err));
      if (!res.headersSent) exchange.json(500, { message: String(err) });
    }
    if (!res.writableEnded) {
      exchange.problem('no such endpoint');
      exchange.json(404, { message: 'Not Found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  state.base = receiver.url;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Checks a header against what the API documents; a problem when it differs. */
export function expectHeader(x: Exchange, name: string, want: string | RegExp): boolean {
  const got = x.req.headers[name];
  const ok = typeof want === 'string' ? got === want : typeof got === 'string' && want.test(got);
  if (!ok) x.problem(`header ${name}: expected ${String(want)}, found ${JSON.stringify(got)}`);
  return ok;
}

export function parseJson(x: Exchange): unknown {
  try {
    return JSON.parse(x.body);
  } catch {
    x.problem(`body is not JSON: ${JSON.stringify(x.body.slice(0, 100))}`);
    return undefined;
  }
}
