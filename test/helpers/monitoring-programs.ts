import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's Prometheus and Alertmanager (`.ci/run` installs them), started on free loopback ports
 * with the configs a test writes, each in its own temp dir, and stopped by the test.
 */
export interface MonitoringProgram {
  readonly url: string;
  readonly dir: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free loopback port: bound, read and released (the programs take a port, not port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `RULES_FILE` in the config stands for the rules file written beside it. */
export async function startPrometheus(config: string, rules?: string): Promise<MonitoringProgram> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  if (rules !== undefined) await writeFile(join(dir, 'rules.yml'), rules);
  await writeFile(configFile, config.replaceAll('RULES_FILE', join(dir, 'rules.yml')));
  return start('prometheus', dir, (port) => [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // A firing alert is sent again this often (default 1m): an Alertmanager that starts after
    // the rule fired hears of it within seconds.
    '--rules.alert.resend-delay=1s',
    '--log.level=warn',
  ]);
}

/** `port`: one chosen beforehand (Prometheus's config names it before Alertmanager runs). */
export async function startAlertmanager(config: string, port?: number): Promise<MonitoringProgram> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, config);
  return start(
    'prometheus-alertmanager',
    dir,
    (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip with peers (and no cluster port to find).
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    port,
  );
}

async function start(
  program: string,
  dir: string,
  args: (port: number) => string[],
  chosen?: number,
): Promise<MonitoringProgram> {
  const port = chosen ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(program, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(`${program} is not installed: install Debian's package, as .ci/run does`)
          : err,
      ),
    );
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  await spawned;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const answer = await fetch(`${url}/-/ready`);
      if (answer.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${program} did not get ready on ${url}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dir, output: () => output, stop };
}

/** An HTTP server exposing gauges in the text format on /metrics, set by the test. */
export interface MetricTarget {
  readonly address: string;
  set(name: string, labels: Record<string, string>, value: number): void;
  close(): Promise<void>;
}

export async function startMetricTarget(): Promise<MetricTarget> {
  const values = new Map<string, number>();
  const server: Server = createHttpServer((_request, response) => {
    const lines = [...values].map(([series, value]) => `${series} ${value}`);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    set(name, labels, value) {
      const text = Object.entries(labels)
        .map(([key, v]) => `${key}=${JSON.stringify(v)}`)
        .join(',');
      values.set(`${name}{${text}}`, value);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Wait for a condition, generously: the machine is loaded. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
