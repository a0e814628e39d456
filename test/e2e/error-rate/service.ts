import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * A small service for the Prometheus end to end: it serves requests of its own (one every 50 ms)
 * and exposes their count and its errors on /metrics. POST /break makes every request fail from
 * then on, until the process restarts: a fault only a restart heals.
 * Usage: node service.ts PORT PIDFILE
 */
const [port, pidFile] = process.argv.slice(2);
let requests = 0;
let errors = 0;
let broken = false;
setInterval(() => {
  requests++;
  if (broken) errors++;
}, 50);

const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/break') {
    broken = true;
    response.end('broken\n');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  response.end(
    [
      '# TYPE demo_requests_total counter',
      `demo_requests_total ${requests}`,
      '# TYPE demo_errors_total counter',
      `demo_errors_total ${errors}`,
      '',
    ].join('\n'),
  );
});
server.listen(Number(port), '127.0.0.1', () => writeFileSync(pidFile!, String(process.pid)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
