// The local target every contender probes, run as its own process(es) so its CPU is not counted
// against anyone. It answers any request with a small 200 and closes the connection, so every
// probe costs a fresh connection whatever the client asks for.
//
//   node bench/probes/target-server.ts [--tls] [--workers N] [--allow-resumption]
//
// Prints `{"port":P,"pids":[...]}` once listening on 127.0.0.1:P. Each line `stats` on stdin is
// answered with `{"connections":C,"responses":R,"resumed":T,"errors":E,"errorCodes":{...}}`,
// totals since start (errorCodes counts socket errors by code, e.g. ECONNRESET).
// --tls serves HTTPS with a self-signed P-256 certificate made with openssl in a temp dir. TLS
// session resumption is refused unless --allow-resumption, so every HTTPS probe pays a full
// handshake, as kubelet and blackbox_exporter do (they keep no session cache).
// --workers N > 1 forks N processes sharing the port through SO_REUSEPORT.
import { execFileSync } from 'node:child_process';
import cluster from 'node:cluster';
import { constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

interface Stats {
  connections: number;
  responses: number;
  resumed: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Event-loop delay of the busiest target process since start (ms): a target out of CPU shows here. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

type WorkerMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'stats'; id: number; stats: Stats };

const BODY = 'ok\n';
const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`,
);
const HEAD_END = Buffer.from('\r\n\r\n');

const { values } = parseArgs({
  strict: true,
  options: {
    tls: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    'allow-resumption': { type: 'boolean', default: false },
    // Internal: set on forked workers.
    port: { type: 'string', default: '0' },
    cert: { type: 'string' },
  },
});
const workers = Math.max(1, Number(values.workers) || 1);
const stats: Stats = {
  connections: 0,
  responses: 0,
  resumed: 0,
  errors: 0,
  errorCodes: {},
  loopDelayP99Ms: 0,
  loopDelayMaxMs: 0,
};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

/** The counters, with the loop delay read now. */
function currentStats(): Stats {
  stats.loopDelayP99Ms = Math.round(loopDelay.percentile(99) / 1e4) / 100;
  stats.loopDelayMaxMs = Math.round(loopDelay.max / 1e4) / 100;
  return stats;
}

function countError(error: NodeJS.ErrnoException): void {
  stats.errors++;
  const code = error.code ?? 'other';
  stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
}

/** Answers the first request on `socket` (once its head is complete) and closes. */
function serve(socket: net.Socket): void {
  stats.connections++;
  let head: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    if (head.indexOf(HEAD_END) === -1) return;
    socket.removeAllListeners('data');
    socket.end(RESPONSE);
    stats.responses++;
  });
  socket.on('error', countError);
}

function makeCertificate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mend-bench-target-'));
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  return dir;
}

function createServer(certDir: string | undefined): net.Server {
  if (certDir === undefined) return net.createServer(serve);
  const server = tls.createServer(
    {
      key: readFileSync(join(certDir, 'key.pem')),
      cert: readFileSync(join(certDir, 'cert.pem')),
      // Without tickets and without a 'resumeSession' handler Node resumes nothing.
      secureOptions: values['allow-resumption'] ? 0 : constants.SSL_OP_NO_TICKET,
    },
    (socket) => {
      if (socket.isSessionReused()) stats.resumed++;
      serve(socket);
    },
  );
  server.on('tlsClientError', countError);
  return server;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, backlog: 4096, reusePort: workers > 1 }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function answerStats(read: () => Promise<Stats>): void {
  createInterface({ input: process.stdin }).on('line', async (line) => {
    if (line.trim() !== 'stats') return;
    process.stdout.write(`${JSON.stringify(await read())}\n`);
  });
  // The orchestrator closing our stdin (or dying) means we are done.
  process.stdin.on('end', () => process.exit(0));
}

async function runSingle(): Promise<void> {
  const certDir = values.tls ? makeCertificate() : undefined;
  const port = await listen(createServer(certDir), 0);
  if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ port, pids: [process.pid] })}\n`);
  answerStats(async () => currentStats());
}

async function runWorker(): Promise<void> {
  const port = await listen(createServer(values.cert), Number(values.port));
  const send = (message: WorkerMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message: { kind?: string; id?: number }) => {
    if (message.kind === 'stats')
      send({ kind: 'stats', id: message.id ?? 0, stats: currentStats() });
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'listening', port });
}

async function runPrimary(): Promise<void> {
  const certDir = values.tls ? makeCertificate() : undefined;
  const baseArgs = values.tls ? ['--tls', '--cert', certDir ?? ''] : [];
  if (values['allow-resumption']) baseArgs.push('--allow-resumption');
  baseArgs.push('--workers', String(workers));
  const forkWorker = (
    port: number,
  ): Promise<{ worker: ReturnType<typeof cluster.fork>; port: number }> => {
    cluster.setupPrimary({ args: [...baseArgs, '--port', String(port)] });
    const worker = cluster.fork();
    return new Promise((resolve) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'listening') resolve({ worker, port: message.port });
      });
    });
  };
  // The first worker picks the port; the others join it with SO_REUSEPORT.
  const first = await forkWorker(0);
  const rest = await Promise.all(Array.from({ length: workers - 1 }, () => forkWorker(first.port)));
  if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true });
  const all = [first.worker, ...rest.map((entry) => entry.worker)];
  for (const worker of all) worker.on('exit', () => process.exit(1));
  process.stdout.write(
    `${JSON.stringify({ port: first.port, pids: [process.pid, ...all.map((w) => w.process.pid)] })}\n`,
  );
  let nextId = 0;
  answerStats(() => {
    const id = nextId++;
    const total: Stats = {
      connections: 0,
      responses: 0,
      resumed: 0,
      errors: 0,
      errorCodes: {},
      loopDelayP99Ms: 0,
      loopDelayMaxMs: 0,
    };
    return Promise.all(
      all.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const onMessage = (message: WorkerMessage): void => {
              if (message.kind !== 'stats' || message.id !== id) return;
              worker.off('message', onMessage);
              total.connections += message.stats.connections;
              total.responses += message.stats.responses;
              total.resumed += message.stats.resumed;
              total.errors += message.stats.errors;
              total.loopDelayP99Ms = Math.max(total.loopDelayP99Ms, message.stats.loopDelayP99Ms);
              total.loopDelayMaxMs = Math.max(total.loopDelayMaxMs, message.stats.loopDelayMaxMs);
              for (const [code, count] of Object.entries(message.stats.errorCodes)) {
                total.errorCodes[code] = (total.errorCodes[code] ?? 0) + count;
              }
              resolve();
            };
            worker.on('message', onMessage);
            worker.send({ kind: 'stats', id });
          }),
      ),
    ).then(() => total);
  });
}

if (workers === 1) await runSingle();
else if (cluster.isPrimary) await runPrimary();
else await runWorker();
