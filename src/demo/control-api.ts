import { createServer, type Server } from 'node:http';
import type { Supervisor } from './supervisor.ts';

export const CONTROL_PORT = 17800;

/**
 * The supervisor's control API: what mend's runbooks drive (through src/demo/ctl.ts), the way a
 * real runbook would call systemctl or an orchestrator's API. Loopback only.
 *   POST /services/NAME/restart | /stop | /start     GET /services
 */
export function startControlApi(supervisor: Supervisor, port = CONTROL_PORT): Promise<Server> {
  const server = createServer(async (req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const match = /^\/services(?:\/([a-z0-9-]+)\/(restart|stop|start))?$/.exec(req.url ?? '');
    if (!match) return send(404, { error: `no such endpoint ${req.method} ${req.url}` });
    const [, name, action] = match;
    if (!name) return send(200, supervisor.status());
    if (req.method !== 'POST') return send(405, { error: 'use POST' });
    try {
      if (action === 'restart') await supervisor.restart(name);
      else if (action === 'stop') await supervisor.stop(name);
      else await supervisor.start(name);
      send(200, { service: name, action, pid: supervisor.pid(name) ?? null });
    } catch (err) {
      send(500, { service: name, action, error: (err as Error).message });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
