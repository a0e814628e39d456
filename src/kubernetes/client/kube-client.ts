import type { KubeConfig } from '@kubernetes/client-node';
import type { Dispatcher } from 'undici';
import { sleep } from '../../support/sleep.ts';
import { type UndiciResponse, undici } from '../../support/undici.ts';
import { VERSION } from '../../support/version.ts';
import { KubeApiError } from './api-error.ts';
import { clientNode, loadKubeConfig } from './load-config.ts';
import { type Attempted, retryDelayMs } from './retry-policy.ts';

/** What mend's requests say they are, in the API server's audit log. */
export const KUBE_USER_AGENT = `mend/${VERSION} (${process.platform}/${process.arch})`;
/** The field manager of every write, as kubectl's is `kubectl-rollout`. */
export const FIELD_MANAGER = 'mend';

export const PATCH = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
} as const;

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  signal: AbortSignal;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/** How a watch stream ended: the server closed it, the caller is done, or 410 (relist). */
export type WatchEnd = 'closed' | 'done' | 'expired';

/**
 * mend's Kubernetes client: the kubeconfig, its contexts and authentication (tokens, exec
 * plugins, client certificates, in-cluster) from @kubernetes/client-node; the requests its own,
 * over undici, so that every one, watches and logs included, carries mend's User-Agent, is cut
 * by the step's AbortSignal, and is retried on 429/5xx as client-go retries (Retry-After,
 * bounded): client-node's generated API retries nothing, takes no AbortSignal per call, and
 * its Watch and Log send their own User-Agent.
 */
export class KubeClient {
  readonly #kc: KubeConfig;
  readonly #server: string;
  #dispatcher: Promise<Dispatcher | undefined> | undefined;

  constructor(kc: KubeConfig) {
    this.#kc = kc;
    this.#server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
  }

  get server(): string {
    return this.#server;
  }

  /** A successful answer's JSON; a KubeApiError otherwise (after the retries the server allowed). */
  async json<T = Record<string, unknown>>(req: KubeRequest): Promise<T> {
    const { body } = await this.#send(req, 'application/json');
    return JSON.parse(body.toString('utf8')) as T;
  }

  /** A text answer (logs), at most `maxBytes` kept. */
  async text(req: KubeRequest, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
    const { body, truncated } = await this.#send(req, '*/*', maxBytes);
    return { text: body.toString('utf8'), truncated };
  }

  /**
   * One watch request: events until `onEvent` returns true ('done'), the server closes the
   * stream ('closed', the caller watches again from the last resourceVersion), or an ERROR
   * event says 410 ('expired', the caller lists again). Other ERROR events throw.
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => boolean,
    signal: AbortSignal,
    /** Called once the server has answered 200: the stream is open. */
    onOpen?: () => void,
  ): Promise<WatchEnd> {
    const url = this.#url(path, { ...query, watch: true });
    const cut = new AbortController();
    const onAbort = () => cut.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#openWatch(url, path, cut.signal);
      onOpen?.();
      let buffered = '';
      // A stream cut by the network is a stream the server closed: watched again from the
      // last version, as client-go does. Only mend stopping (the signal) ends the watch here.
      const chunks = response.body[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await chunks.next();
        } catch (err) {
          if (signal.aborted) throw err;
          return 'closed';
        }
        if (next.done) break;
        const chunk = next.value;
        buffered += (chunk as Buffer).toString('utf8');
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
          if (line === '') continue;
          const event = safeJson(line) as WatchEvent | undefined;
          if (!event || typeof event.object !== 'object') continue;
          if (event.type === 'ERROR') {
            const code = Number((event.object as { code?: unknown }).code);
            if (code === 410) return 'expired';
            throw new KubeApiError(`watch ${path}`, code || 500, event.object, undefined);
          }
          if (onEvent(event)) return 'done';
        }
      }
      return 'closed';
    } finally {
      signal.removeEventListener('abort', onAbort);
      cut.abort(new Error('watch finished'));
    }
  }

  /** Opens a watch, asked again as any request when the server says when (429/5xx Retry-After). */
  #openWatch(url: URL, path: string, signal: AbortSignal): Promise<UndiciResponse> {
    return this.#retrying<UndiciResponse>(
      `watch ${path}`,
      signal,
      () => this.#open(url, 'GET', undefined, undefined, 'application/json', signal),
      async (response) =>
        response.statusCode === 200 ? { value: response } : { text: await response.body.text() },
    );
  }

  async close(): Promise<void> {
    const dispatcher = await this.#dispatcher;
    await dispatcher?.close();
  }

  #send(
    req: KubeRequest,
    accept: string,
    maxBytes = 64 * 1024 * 1024,
  ): Promise<{ body: Buffer; truncated: boolean }> {
    const url = this.#url(req.path, req.query ?? {});
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const contentType = payload === undefined ? undefined : (req.contentType ?? 'application/json');
    return this.#retrying<{ body: Buffer; truncated: boolean }>(
      `${req.method} ${req.path}`,
      req.signal,
      () => this.#open(url, req.method, payload, contentType, accept, req.signal),
      async (response) => {
        const read = await readBounded(response.body, maxBytes);
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        return ok ? { value: read } : { text: read.body.toString('utf8') };
      },
    );
  }

  /**
   * One request asked until `take` accepts its answer, or the retry policy says this outcome
   * is final: then the API server's answer as a KubeApiError, or the connection's failure.
   */
  async #retrying<T>(
    what: string,
    signal: AbortSignal,
    open: () => Promise<UndiciResponse>,
    take: (response: UndiciResponse) => Promise<{ value: T } | { text: string }>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let outcome: Attempted;
      let failure: Error;
      try {
        const response = await open();
        const taken = await take(response);
        if ('value' in taken) return taken.value;
        const retryAfter = header(response.headers, 'retry-after');
        failure = new KubeApiError(what, response.statusCode, safeJson(taken.text), retryAfter);
        outcome = { kind: 'answer', status: response.statusCode, retryAfter };
      } catch (err) {
        if (signal.aborted) throw abortError(what, signal);
        failure = new Error(`${what}: ${(err as Error).message}`, { cause: err });
        outcome = { kind: 'no-answer' };
      }
      const delay = retryDelayMs(outcome, attempt);
      if (delay === undefined) throw failure;
      if (!(await sleep(delay, signal))) throw abortError(what, signal);
    }
  }

  async #open(
    url: URL,
    method: string,
    payload: string | undefined,
    contentType: string | undefined,
    accept: string,
    signal: AbortSignal,
  ) {
    const { RequestContext, HttpMethod } = await clientNode();
    // Authentication per request: an exec plugin's or a rotated service account token is
    // refreshed by client-node here. The TLS agent is made once and reused.
    const ctx = new RequestContext(url.href, HttpMethod.GET);
    await this.#kc.applySecurityAuthentication(ctx);
    this.#dispatcher ??= Promise.resolve(ctx.getDispatcher() as Dispatcher | undefined);
    const dispatcher = await this.#dispatcher;
    const headers: Record<string, string> = {
      ...ctx.getHeaders(),
      accept,
      'user-agent': KUBE_USER_AGENT,
      ...(contentType ? { 'content-type': contentType } : {}),
    };
    const { request } = await undici();
    return request(url, {
      method: method as 'GET',
      headers,
      body: payload,
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
  }

  #url(path: string, query: Query): URL {
    const url = new URL(this.#server + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }
}

const clients = new Map<string, Promise<KubeClient>>();

/** The client of a kubeconfig context ('' for the current one), made once per process. */
export function kubeClient(context: string | undefined): Promise<KubeClient> {
  const key = context ?? '';
  let client = clients.get(key);
  if (!client) {
    client = loadKubeConfig(context).then((kc) => new KubeClient(kc));
    // A failed load (no kubeconfig yet) is tried again at the next step.
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

async function readBounded(
  body: AsyncIterable<unknown>,
  maxBytes: number,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > maxBytes) {
      chunks.push(buffer.subarray(0, maxBytes - size));
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function header(headers: Record<string, string | string[] | undefined>, name: string) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function abortError(what: string, signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  return new Error(`${what}: ${reason}`);
}
