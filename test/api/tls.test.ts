import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { type CertificateFiles, makeCa, makeLeaf } from '../../src/support/openssl-certificates.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

let dir: string;
let ca: CertificateFiles;
let otherCa: CertificateFiles;
let first: CertificateFiles;
let renewed: CertificateFiles;
let client: CertificateFiles;
let stranger: CertificateFiles;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-api-tls-'));
  ca = await makeCa(dir, 'mend-ca');
  otherCa = await makeCa(dir, 'other-ca');
  first = await makeLeaf(dir, ca, 'first', { use: 'server' });
  renewed = await makeLeaf(dir, ca, 'renewed', { use: 'server' });
  client = await makeLeaf(dir, ca, 'ops-bot', { use: 'client' });
  stranger = await makeLeaf(dir, otherCa, 'stranger', { use: 'client' });
});

after(() => rm(dir, { recursive: true, force: true }));

interface TlsAnswer {
  status: number;
  body: string;
  /** The CN of the certificate the server presented. */
  servedBy: string;
}

/** One HTTPS request trusting the test CA; rejects on any TLS or socket failure, never hangs. */
function get(
  port: number,
  path: string,
  options: { token?: string; identity?: CertificateFiles } = {},
): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        ca: readPem(ca.cert),
        ...(options.identity
          ? { cert: readPem(options.identity.cert), key: readPem(options.identity.key) }
          : {}),
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            servedBy: String(peer.subject?.CN),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${path} within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

const pems = new Map<string, Buffer>();
function readPem(path: string): Buffer {
  return pems.get(path)!;
}

async function loadPems(...files: CertificateFiles[]) {
  const { readFile } = await import('node:fs/promises');
  for (const file of files) {
    pems.set(file.cert, await readFile(file.cert));
    pems.set(file.key, await readFile(file.key));
  }
}

function config(tls: string) {
  return `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec: {}
---
apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  api:
    tls:
${tls}
`;
}

async function startMend(name: string, tls: string, listen = '127.0.0.1:0') {
  const configFile = join(dir, `${name}.yaml`);
  const db = join(dir, `${name}.db`);
  await writeFile(configFile, config(tls));
  const created = await runMend(['token', 'create', 'viewer-1', '--role', 'viewer', '--db', db]);
  assert.equal(created.code, 0, created.stderr);
  const mend = new MendProcess(['run', '-c', configFile, '--db', db, '--listen', listen]);
  const running = await mend.waitForLog(/^mend running/, 20_000);
  const port = Number(/listen:\s+https:\/\/[\d.]+:(\d+)/.exec(running)?.[1]);
  assert.ok(port > 0, `an https address in: ${running}`);
  return { mend, port, token: created.stdout.trim(), configFile };
}

test('with Settings api.tls mend serves HTTPS, renews its certificate on SIGHUP and keeps it when the new pair is bad', async () => {
  await loadPems(ca, first, renewed, client);
  const certFile = join(dir, 'served.crt');
  const keyFile = join(dir, 'served.key');
  await copyFile(first.cert, certFile);
  await copyFile(first.key, keyFile);
  const { mend, port, token } = await startMend(
    'tls',
    `      certFile: ${certFile}\n      keyFile: ${keyFile}`,
  );
  try {
    const health = await get(port, '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.servedBy, 'first');
    assert.equal((await get(port, '/api/v1/services')).status, 401);
    assert.equal((await get(port, '/api/v1/services', { token })).status, 200);

    // Plain HTTP on the TLS port is not answered as HTTP.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz' }, resolve);
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
      }),
    );

    await copyFile(renewed.cert, certFile);
    await copyFile(renewed.key, keyFile);
    mend.kill('SIGHUP');
    await mend.waitForLog(/^TLS certificate reloaded from /, 20_000);
    assert.equal((await get(port, '/healthz')).servedBy, 'renewed');

    // A half-done renewal: the new certificate with the old key. The served pair stays.
    await copyFile(first.cert, certFile);
    await copyFile(renewed.key, keyFile);
    mend.kill('SIGHUP');
    const refused = await mend.waitForLog(/^TLS certificate not reloaded/, 20_000);
    assert.match(refused, /do not make a TLS context/);
    assert.match(refused, /served\.crt/);
    const still = await get(port, '/healthz');
    assert.equal(still.status, 200);
    assert.equal(still.servedBy, 'renewed');
  } finally {
    mend.kill('SIGTERM');
    await mend.exited;
  }
});

test('with api.tls.clientCaFile only clients holding a certificate from that CA are answered; with TLS the API is served on any address', async () => {
  await loadPems(ca, first, client, stranger);
  const { mend, port, token } = await startMend(
    'mtls',
    `      certFile: ${first.cert}\n      keyFile: ${first.key}\n      clientCaFile: ${ca.cert}`,
    '0.0.0.0:0',
  );
  try {
    assert.equal(mend.countLogs(/operator API (not served|served without TLS)/), 0);
    const allowed = await get(port, '/api/v1/services', { token, identity: client });
    assert.equal(allowed.status, 200);
    assert.equal((await get(port, '/healthz', { identity: client })).status, 200);
    await assert.rejects(get(port, '/healthz'), /certificate|socket hang up|ECONNRESET/i);
    await assert.rejects(
      get(port, '/healthz', { identity: stranger }),
      /certificate|unknown ca|socket hang up|ECONNRESET/i,
    );
  } finally {
    mend.kill('SIGTERM');
    await mend.exited;
  }
});

test('a certificate file that cannot be read stops the start, naming the setting and the file', async () => {
  const configFile = join(dir, 'missing.yaml');
  await writeFile(
    configFile,
    config(`      certFile: ${join(dir, 'nope.crt')}\n      keyFile: ${first.key}`),
  );
  const run = await runMend(
    ['run', '-c', configFile, '--db', join(dir, 'missing.db'), '--listen', '127.0.0.1:0'],
    { timeoutMs: 30_000 },
  );
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Settings api\.tls\.certFile: cannot read .*nope\.crt: ENOENT/);
});
