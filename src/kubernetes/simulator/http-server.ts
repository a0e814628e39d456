import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ResourceRequest, ResourceResponse } from './api-request.ts';
import { ApiError, type ApiStatus, errors, failure } from './api-status.ts';
import {
  type Attributes,
  authenticate,
  authorize,
  forbiddenMessage,
  type TokenUser,
  type User,
} from './authorization.ts';
import type { ClusterContext } from './cluster-context.ts';
import { type DiscoveryMode, groupVersionDiscovery, rootDiscovery } from './discovery.ts';
import { type FaultAction, type Faults, faultStatus } from './faults.ts';
import { decodeAccessReview } from './protobuf-review.ts';
import type { LoggedRequest, RequestLog } from './request-log.ts';
import { parseTarget, verbOf } from './request-target.ts';
import { handleResource } from './resource-handler.ts';
import { qualifiedName } from './resources.ts';
import { startWatch } from './watch-stream.ts';

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

export interface ApiServerOptions {
  context: ClusterContext;
  tokens: () => readonly TokenUser[];
  discovery: DiscoveryMode;
  version: ServerVersion;
  faults: Faults;
  log: RequestLog;
  bookmarkIntervalMs: number;
  /** PEM key and certificate; without them, plain HTTP (kubectl then sends no credentials). */
  tls?: { key: string; cert: string };
  host?: string;
  port?: number;
}

export interface RunningApiServer {
  url: string;
  close(): Promise<void>;
}

type Request = IncomingMessage | Http2ServerRequest;
/** What the server uses of an HTTP/1.1 or HTTP/2 compatibility response (their unions do not call). */
interface Response {
  writeHead(code: number, headers: Record<string, string>): unknown;
  write(chunk: string): unknown;
  end(chunk?: string): unknown;
  readonly writableEnded: boolean;
  on(event: 'close', listener: () => void): unknown;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
const ANONYMOUS_PATHS = new Set(['/version', '/healthz', '/readyz', '/livez']);

/**
 * The API server: TLS with HTTP/2 and HTTP/1.1 on one port (kubectl negotiates h2 by ALPN, as
 * with a real apiserver; its --timeout is only prompt over h2), bearer-token authentication,
 * RBAC, the injected faults, and every request in the request log.
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const open = new Set<{ destroy(): void }>();
  const handler = (req: Request, res: ServerResponse | Http2ServerResponse) => {
    void serve(options, req, res as unknown as Response);
  };
  const server = options.tls
    ? createSecureServer(
        { key: options.tls.key, cert: options.tls.cert, allowHTTP1: true },
        handler,
      )
    : createHttpServer(handler);
  server.on('connection', (socket: { destroy(): void; on(e: string, f: () => void): void }) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  server.on(
    'secureConnection',
    (socket: { destroy(): void; on(e: string, f: () => void): void }) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw errors.badRequest('request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A request body as JSON; protobuf only for the access review kubectl sends that way. */
function decodeBody(raw: Buffer, contentType: string | undefined, path: string): unknown {
  if (contentType?.startsWith('application/vnd.kubernetes.protobuf')) {
    if (!path.endsWith('/selfsubjectaccessreviews')) {
      throw errors.unsupportedMediaType('application/vnd.kubernetes.protobuf');
    }
    try {
      return decodeAccessReview(raw);
    } catch (err) {
      throw errors.badRequest(`cannot decode the protobuf body: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(raw.toString());
  } catch {
    throw errors.badRequest('the request body is not JSON (the simulator accepts JSON only)');
  }
}

async function serve(options: ApiServerOptions, req: Request, res: Response): Promise<void> {
  const { context, log } = options;
  const url = new URL(req.url ?? '/', 'https://simulator');
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const entry: LoggedRequest = {
    at: context.clock.now(),
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    protocol: req.httpVersion === '2.0' ? 'h2' : 'http/1.1',
    code: 0,
    ...optional('contentType', header('content-type')),
    ...optional('accept', header('accept')),
    ...optional('userAgent', header('user-agent')),
    ...optional('command', header('kubectl-command')),
  };
  const reply = (
    code: number,
    body: unknown,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ) => {
    entry.code = code;
    log.add(entry);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, {
      'content-type': contentType,
      'cache-control': 'no-cache, private',
      ...headers,
    });
    res.end(text);
  };
  const replyStatus = (status: ApiStatus, retryAfterSeconds?: number) =>
    reply(
      status.code,
      status,
      'application/json',
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    );
  try {
    const raw = await readBody(req);
    if (raw.length > 0) entry.body = decodeBody(raw, entry.contentType, url.pathname);
    const user = authenticate(options.tokens(), header('authorization'));
    if (user) entry.user = user.name;
    if (!user && !ANONYMOUS_PATHS.has(url.pathname)) throw errors.unauthorized();
    const target = parseTarget(url.pathname);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    if (target.kind === 'resource') {
      const verb = verbOf(entry.method, target.name !== undefined, watch);
      entry.verb = verb;
      const attributes: Attributes = {
        verb,
        group: target.type.group,
        resource: target.type.name,
        ...optional('subresource', target.subresource),
        ...optional('namespace', target.namespace),
        ...optional('name', target.name),
      };
      const selfReview = target.type.name === 'selfsubjectaccessreviews';
      if (!selfReview && !authorize(context.store, user!, attributes)) {
        throw new ApiError(
          failure(403, 'Forbidden', forbiddenMessage(user!, attributes), {
            ...optional('name', target.name),
            group: target.type.group,
            kind: target.type.name,
          }),
        );
      }
      const fault = options.faults.take(
        {
          verb,
          resource: target.type.name,
          ...optional('subresource', target.subresource),
          ...optional('namespace', target.namespace),
          ...optional('name', target.name),
        },
        'request',
      );
      const about = {
        qualifiedResource: qualifiedName(target.type),
        ...optional('name', target.name),
      };
      if (fault && (await applyFault(fault, entry, replyStatus, req, res, about))) return;
      const request: ResourceRequest = {
        method: entry.method,
        verb,
        type: target.type,
        ...optional('namespace', target.namespace),
        ...optional('name', target.name),
        ...optional('subresource', target.subresource),
        query: url.searchParams,
        body: entry.body,
        contentType: entry.contentType ?? 'application/json',
        accept: entry.accept,
        user: user as User,
      };
      const response = handleResource(context, request);
      if ('watch' in response) {
        const watchFault = options.faults.take(
          { verb, resource: target.type.name, ...optional('namespace', target.namespace) },
          'watch',
        );
        if (watchFault) entry.fault = describeFault(watchFault);
        streamWatch(options, response, watchFault, entry, req, res);
        return;
      }
      sendResponse(response, reply);
      return;
    }
    const fault = options.faults.take({ verb: entry.method.toLowerCase() }, 'request');
    if (fault && (await applyFault(fault, entry, replyStatus, req, res))) return;
    if (target.kind === 'version') {
      reply(200, {
        ...options.version,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.24.0',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    } else if (target.kind === 'root') {
      const answer = rootDiscovery(
        target.path,
        options.discovery,
        entry.accept,
        header('host') ?? header(':authority') ?? '127.0.0.1',
      );
      reply(200, answer.body, answer.contentType);
    } else if (target.kind === 'group-version') {
      const body = groupVersionDiscovery(target.group, target.version);
      if (body === undefined) throw errors.pathNotFound();
      reply(200, body);
    } else if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) {
      reply(200, 'ok', 'text/plain; charset=utf-8');
    } else {
      throw errors.pathNotFound();
    }
  } catch (err) {
    if (err instanceof ApiError) replyStatus(err.status, err.retryAfterSeconds);
    else
      replyStatus(
        failure(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`),
      );
  }
}

function sendResponse(
  response: Exclude<ResourceResponse, { watch: unknown }>,
  reply: (code: number, body: unknown, type?: string) => void,
): void {
  if ('text' in response) reply(response.code, response.text, 'text/plain');
  else reply(response.code, response.body, response.contentType);
}

/** Applies a request fault; true when it answered (or cut) the request. */
async function applyFault(
  fault: FaultAction,
  entry: LoggedRequest,
  replyStatus: (status: ApiStatus, retryAfterSeconds?: number) => void,
  req: Request,
  res: Response,
  about?: { qualifiedResource: string; name?: string },
): Promise<boolean> {
  entry.fault = describeFault(fault);
  if ('delayMs' in fault) {
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    return false;
  }
  if ('respond' in fault) {
    replyStatus(
      faultStatus(fault.respond.code, fault.respond.message, about),
      fault.respond.retryAfterSeconds,
    );
    return true;
  }
  if ('reset' in fault) {
    if ('stream' in req && req.stream)
      req.stream.close(0x2); // NGHTTP2_INTERNAL_ERROR
    else (res as unknown as ServerResponse).socket?.destroy();
    return true;
  }
  return false;
}

function describeFault(fault: FaultAction): string {
  if ('respond' in fault)
    return `respond ${fault.respond.code}${fault.respond.retryAfterSeconds === undefined ? '' : ` retry-after ${fault.respond.retryAfterSeconds}`}`;
  if ('reset' in fault) return 'reset';
  if ('delayMs' in fault) return `delay ${fault.delayMs}ms`;
  if ('cutWatchAfterEvents' in fault) return `cut watch after ${fault.cutWatchAfterEvents} events`;
  return 'watch 410 Expired';
}

function streamWatch(
  options: ApiServerOptions,
  response: Extract<ResourceResponse, { watch: unknown }>,
  fault: FaultAction | undefined,
  entry: LoggedRequest,
  req: Request,
  res: Response,
): void {
  entry.code = 200;
  options.log.add(entry);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  const stop = startWatch(
    options.context.store,
    options.context.clock,
    {
      ...response.watch,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      ...(fault && 'cutWatchAfterEvents' in fault
        ? { cutAfterEvents: fault.cutWatchAfterEvents }
        : {}),
      ...(fault && 'expireWatch' in fault ? { expire: true } : {}),
    },
    {
      write: (line) => {
        if (!res.writableEnded) res.write(line);
      },
      end: () => {
        if (!res.writableEnded) res.end();
      },
    },
  );
  req.on('close', stop);
  res.on('close', stop);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
