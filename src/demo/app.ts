// A small demo service: an HTTP server with a liveness endpoint, a readiness endpoint that checks
// its dependencies and answers in the health+json format, and a control API the demo's fault
// injector and mend's runbooks drive. Run as its own process by the demo supervisor.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    port: { type: 'string' },
    dep: { type: 'string', multiple: true, default: [] },
    // A flapping service: it starts fine and dies this many seconds later, every time.
    'crash-after': { type: 'string' },
  },
});
if (values['crash-after']) {
  setTimeout(() => {
    process.stderr.write(`${values.name}: crashing (flapping)\n`);
    process.exit(1);
  }, Number(values['crash-after']) * 1000);
}
const name = values.name ?? 'demo';
const port = Number(values.port);
const deps = (values.dep ?? []).map((spec) => {
  const [depName, url] = spec.split('=', 2);
  return { name: depName!, url: url! };
});

type Mode = 'ok' | 'failing' | 'hanging';
let mode: Mode = 'ok';

async function dependencyChecks() {
  const checks: Record<string, { componentId: string; status: string; output?: string }[]> = {};
  for (const dep of deps) {
    let status = 'pass';
    let output: string | undefined;
    try {
      const res = await fetch(dep.url, { signal: AbortSignal.timeout(500) });
      if (!res.ok) {
        status = 'fail';
        output = `${dep.url} answered ${res.status}`;
      }
      await res.body?.cancel();
    } catch (err) {
      status = 'fail';
      output = `${dep.url}: ${(err as Error).message}`;
    }
    checks[`${dep.name}:reachability`] = [
      { componentId: dep.name, status, ...(output ? { output } : {}) },
    ];
  }
  return checks;
}

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json') {
  res.writeHead(code, { 'content-type': type });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const path = req.url ?? '/';
  if (req.method === 'POST' && path.startsWith('/control/')) {
    const action = path.slice('/control/'.length);
    if (action === 'crash') {
      send(res, 202, { crashing: name });
      setTimeout(() => process.exit(1), 10);
      return;
    }
    if (action === 'fail' || action === 'hang' || action === 'recover') {
      mode = action === 'fail' ? 'failing' : action === 'hang' ? 'hanging' : 'ok';
      send(res, 200, { name, mode });
      return;
    }
    send(res, 404, { error: `unknown control action ${action}` });
    return;
  }
  // A hung process: connections are accepted and requests read, never answered.
  if (mode === 'hanging') return;
  if (path === '/healthz') {
    send(res, mode === 'failing' ? 500 : 200, { status: mode === 'failing' ? 'fail' : 'pass' });
    return;
  }
  if (path === '/readyz') {
    const checks = await dependencyChecks();
    const failing =
      mode === 'failing' || Object.values(checks).some((c) => c[0]?.status === 'fail');
    send(
      res,
      failing ? 503 : 200,
      { status: failing ? 'fail' : 'pass', serviceId: name, checks },
      'application/health+json',
    );
    return;
  }
  send(res, 200, { service: name, hello: 'world' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => send(res, 500, { error: String(err) }));
});
server.on('error', (err) => {
  process.stderr.write(`${name}: cannot listen on 127.0.0.1:${port}: ${err.message}\n`);
  process.exit(3);
});
server.listen(port, '127.0.0.1', () => process.send?.({ ready: name, port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// The supervisor is gone (killed, even with SIGKILL): so is this service, so no demo process
// outlives the demo and keeps its port.
process.on('disconnect', () => process.exit(0));
