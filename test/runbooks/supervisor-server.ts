import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A service and its supervisor in one loopback server: GET / answers 200 when up, 503 when down;
 * POST /restart brings it up after `restartMs`. Every request is recorded, as the server saw it.
 */
export interface SupervisedService {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  setUp(up: boolean): void;
  close(): Promise<void>;
}

export async function startSupervised(
  options: { up?: boolean; restartMs?: number } = {},
): Promise<SupervisedService> {
  let up = options.up ?? false;
  const requests: SupervisedService['requests'] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.method === 'POST' && req.url === '/restart') {
      setTimeout(() => {
        up = true;
      }, options.restartMs ?? 0);
      res.writeHead(202, {
        'content-type': 'text/plain',
        'x-echo': String(req.headers.authorization ?? ''),
      });
      res.end(`restarting; you said ${body}`);
      return;
    }
    res.writeHead(up ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(up ? 'up' : 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setUp(next) {
      up = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
