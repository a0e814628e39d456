import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

/** A loopback TCP server that accepts connections, reads what comes, and never answers. */
export interface SilentServer {
  port: number;
  url: string;
  /** Resolves once the client closed every connection it opened (and it opened one). */
  released(): Promise<void>;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}/`,
    async released() {
      assert.ok(sockets.length > 0, 'no connection arrived');
      await Promise.all(sockets.map((s) => (s.closed ? undefined : once(s, 'close'))));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
