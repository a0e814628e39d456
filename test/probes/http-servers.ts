import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { httpProbe } from '../../src/signals/probes/http.ts';
import { httpProbeSpec } from '../../src/signals/probes/http-spec.ts';
import { listen } from './helpers.ts';

/** A prepared http probe from the fields of a check. */
export function http(spec: Record<string, unknown>) {
  return httpProbe.prepare(httpProbeSpec.parse(spec));
}

export interface Running {
  port: number;
  url: (path?: string) => string;
  close: () => Promise<void>;
}

export async function httpServer(handler: RequestListener, host = '127.0.0.1'): Promise<Running> {
  const server: Server = createHttpServer(handler);
  const port = await listen(server, host);
  return {
    port,
    url: (path = '/') => `http://${host}:${port}${path}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw TCP server, for peers that misbehave below HTTP. Tracks its sockets. */
export async function tcpServer(
  onSocket: (socket: Socket) => void,
): Promise<Running & { sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server: NetServer = createNetServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  const port = await listen(server);
  return {
    port,
    sockets,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
