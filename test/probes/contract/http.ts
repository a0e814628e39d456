import { startSilentServer } from '../../helpers/silent-server.ts';
import type { ProbeFixture } from '../contract.ts';
import { closedPort } from '../helpers.ts';
import { httpServer } from '../http-servers.ts';

export const httpFixture: ProbeFixture = {
  async healthy() {
    const app = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('all systems go');
    });
    return { spec: { url: app.url('/readyz') }, close: app.close };
  },
  async down() {
    const port = await closedPort();
    return { spec: { url: `http://127.0.0.1:${port}/readyz` }, close: async () => {} };
  },
  async hanging() {
    // Accepts the connection and reads the request, and never answers.
    const silent = await startSilentServer();
    return { spec: { url: `${silent.url}readyz` }, released: silent.released, close: silent.close };
  },
  async verbose(bytes) {
    const app = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(bytes * 16));
    });
    return { spec: { url: app.url('/'), bodyContains: 'x' }, close: app.close };
  },
};
