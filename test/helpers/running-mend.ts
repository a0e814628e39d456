import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlakyServer, startFlakyServer } from './flaky-server.ts';
import { MendProcess, runMend } from './mend-process.ts';

/**
 * A real `mend run` on loopback with a token per role: one service `api` (labels env=prod) whose
 * check the test fails through `target`, a policy that heals it with a runbook that succeeds.
 */
export interface RunningMend {
  base: string;
  db: string;
  config: string;
  target: FlakyServer;
  mend: MendProcess;
  tokens: Record<'viewer' | 'operator' | 'admin' | 'ingest', string>;
  /** Stop mend (SIGTERM) and wait for it; the store stays, to read afterwards. */
  halt(): Promise<void>;
  /** Stop mend, the target, and remove the folder. */
  stop(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): unknown;
}

export interface CallOptions {
  token?: string;
  body?: string | object;
  headers?: Record<string, string>;
  /** The source address (any 127.x.y.z): the failure limiter keys on it. */
  from?: string;
  /** Answer as soon as the headers arrive, and hang up (a stream never ends by itself). */
  headersOnly?: boolean;
}

/** The config: service `api` probing the target, healed by runbook `restart` (exec, verify). */
export const RUNNING_MEND_CONFIG = (url: string) => `apiVersion: mend/v1
kind: Service
metadata: { name: api, labels: { env: prod } }
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      failureThreshold: 2
      http: { url: "${url}" }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 0s
  heal: { runbook: restart }
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  steps:
    - name: restart
      exec: { command: ["${process.execPath}", "-e", ""] }
    - name: verify
      verify: {}
`;

export async function startRunningMend(
  options: { config?: (targetUrl: string) => string } = {},
): Promise<RunningMend> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-api-'));
  const target = await startFlakyServer(200);
  const config = join(dir, 'mend.yaml');
  const db = join(dir, 'mend.db');
  try {
    await writeFile(config, (options.config ?? RUNNING_MEND_CONFIG)(target.url));
  } catch (err) {
    // The target would keep the test process alive.
    await target.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const mend = new MendProcess(['run', '-c', config, '--db', db, '--listen', '127.0.0.1:0']);
  let port: string | undefined;
  const tokens = {} as RunningMend['tokens'];
  try {
    const running = await mend.waitForLog(/^mend running/, 20_000);
    port = /listen:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(running)?.[1];
    if (port === undefined) throw new Error(`no listen address in: ${running}`);
    for (const role of ['viewer', 'operator', 'admin', 'ingest'] as const) {
      const created = await runMend(['token', 'create', `${role}-1`, '--role', role, '--db', db]);
      if (created.code !== 0) throw new Error(created.stderr);
      tokens[role] = created.stdout.trim();
    }
  } catch (err) {
    // A start that failed leaves nothing running: the target would keep the test process alive.
    if (mend.child.exitCode === null) mend.kill('SIGKILL');
    await mend.exited;
    await target.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const halt = async () => {
    if (mend.child.exitCode === null && mend.child.signalCode === null) mend.kill('SIGTERM');
    await mend.exited;
  };
  return {
    base: `http://127.0.0.1:${port}`,
    db,
    config,
    target,
    mend,
    tokens,
    halt,
    async stop() {
      await halt();
      await target.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One HTTP request, by node:http so the source address can be chosen. */
export function call(base: string, method: string, path: string, options: CallOptions = {}) {
  const url = new URL(path, base);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ...(options.from ? { localAddress: options.from } : {}),
        headers: {
          // Framed by its length: Node sends a GET's body unframed otherwise, which the server
          // rightly reads as the start of the next request.
          ...(body !== undefined
            ? {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(body)),
              }
            : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        if (options.headersOnly && res.statusCode === 200) {
          resolve({ status: 200, headers: res.headers, body: '', json: () => undefined });
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on('error', (err) => {
      if (!options.headersOnly) reject(err);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
