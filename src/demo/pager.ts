import { createServer, type Server } from 'node:http';

export const PAGER_PORT = 17809;

/**
 * The demo's "on-call phone": a local receiver for mend's webhook notifier that prints each page
 * it gets into the demo's feed, so a person sees exactly what a human would be sent.
 */
export function startPager(say: (line: string) => void, port = PAGER_PORT): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}\n');
      say(`PAGE received: ${describe(body)}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function describe(body: string): string {
  try {
    const page = JSON.parse(body) as Record<string, unknown>;
    const event = typeof page.event === 'string' ? `${page.event}: ` : '';
    const summary = typeof page.summary === 'string' ? page.summary : body.slice(0, 300);
    // Why mend pages (an open breaker, a refused heal, ...): what the person needs first.
    const reason = page.reason as { message?: unknown } | undefined;
    const why = typeof reason?.message === 'string' ? `; why: ${reason.message}` : '';
    return `${event}${summary}${why}`;
  } catch {
    return body.slice(0, 300);
  }
}
