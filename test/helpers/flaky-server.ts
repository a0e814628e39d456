import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on loopback whose answer the test controls. */
export interface FlakyServer {
  url: string;
  port: number;
  setStatus(status: number): void;
  close(): Promise<void>;
}

export async function startFlakyServer(status = 200): Promise<FlakyServer> {
  let current = status;
  const server: Server = createServer((_req, res) => {
    res.writeHead(current, { 'content-type': 'text/plain' });
    res.end(current < 400 ? 'ok' : 'broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    setStatus(next) {
      current = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
