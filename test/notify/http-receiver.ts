import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request a receiver got, its body parsed as JSON when it is JSON. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
  /** The status the receiver answered with; unset while it has not (or never will). */
  status?: number;
}

export interface Answer {
  status: number;
  body?: string;
  /** Never answer (a hung receiver). */
  hang?: boolean;
  /** Answer after this long (a slow receiver). */
  delayMs?: number;
}

/** An answer that overrides a receiver's own judgement of a request; undefined: judge it. */
export type Fault = (request: Received, index: number) => Answer | undefined;

export interface Receiver {
  url: string;
  requests: Received[];
  /** Connections a client still holds open (kept alive, or waiting for an answer). */
  openConnections(): number;
  /** Resolves once `count` requests arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback (a free port) that records every request and answers as the
 * test says; the answer function sees the request and how many came before it.
 */
export async function startReceiver(
  answer: (request: Received, index: number) => Answer,
): Promise<Receiver> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {}
      const received: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body,
      };
      const index = requests.length;
      requests.push(received);
      const reply = answer(received, index);
      if (reply.hang) return;
      setTimeout(() => {
        received.status = reply.status;
        res.writeHead(reply.status, { 'content-type': 'text/plain' });
        res.end(reply.body ?? '');
      }, reply.delayMs ?? 0);
    });
  });
  const open = new Set<Socket>();
  server.on('connection', (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openConnections: () => open.size,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} request(s), got ${requests.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return requests;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
