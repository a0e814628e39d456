import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { compileHttpCheck } from '../../src/signals/probes/http-check.ts';
import { httpProbeSpec } from '../../src/signals/probes/http-spec.ts';
import { listen, runProbe } from './helpers.ts';
import { http, httpServer } from './http-servers.ts';

let dir: string;
let caFile: string;
let server: Server;
let url: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-tls-'));
  caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  // A self-signed certificate valid for 30 days, for 127.0.0.1 and localhost.
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    caFile,
    '-days',
    '30',
    '-subj',
    '/CN=mend-test',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  server = createServer(
    { key: await readFile(keyFile), cert: await readFile(caFile) },
    (_req, res) => res.end('secure and sound'),
  );
  url = `https://127.0.0.1:${await listen(server)}/`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true });
});

test('https: a self-signed certificate is rejected by default, with its facts still reported', async () => {
  const result = await runProbe(http({ url }));
  assert.equal(result.ok, false);
  assert.equal(
    result.error,
    `TLS certificate of ${new URL(url).host} rejected: self-signed certificate; set tls.caFile to trust it`,
  );
  assert.equal(result.tls?.certDaysLeft, 29);
});

test('https: the certificate verifies against tls.caFile, with TLS facts and all five phases', async () => {
  const result = await runProbe(http({ url, tls: { caFile } }));
  assert.equal(result.ok, true, result.error);
  assert.equal(result.output, 'secure and sound');
  assert.equal(result.tls?.version, 'TLSv1.3');
  assert.equal(result.tls?.certDaysLeft, 29);
  const notAfter = result.tls?.certNotAfter ?? 0;
  assert.ok(Math.abs(notAfter - (Date.now() + 30 * 86_400_000)) < 60_000);
  for (const phase of ['resolveMs', 'connectMs', 'tlsMs', 'processingMs', 'transferMs'] as const) {
    assert.ok((result.phases?.[phase] ?? -1) >= 0, `${phase} missing`);
  }
});

test('https: insecureSkipVerify accepts the certificate', async () => {
  const result = await runProbe(http({ url, tls: { insecureSkipVerify: true } }));
  assert.equal(result.ok, true, result.error);
});

test('https: tls.serverName is the name the certificate must carry', async () => {
  const right = await runProbe(http({ url, tls: { caFile, serverName: 'localhost' } }));
  assert.equal(right.ok, true, right.error);
  const wrong = await runProbe(http({ url, tls: { caFile, serverName: 'db.example.com' } }));
  assert.equal(
    wrong.error,
    `TLS certificate of ${new URL(url).host} rejected: certificate is not valid for db.example.com; set tls.serverName?`,
  );
});

test('https: speaking TLS to a plain HTTP port fails the handshake in one line', async () => {
  const plain = await import('node:http').then((m) => m.createServer((_q, s) => s.end('hi')));
  const port = await listen(plain);
  try {
    const result = await runProbe(http({ url: `https://127.0.0.1:${port}/` }));
    assert.match(
      result.error ?? '',
      /^TLS handshake with 127\.0\.0\.1:\d+ failed: (wrong version number|packet length too long)/,
    );
  } finally {
    plain.closeAllConnections();
    plain.close();
  }
});

test('https: an unreadable caFile is refused when the check is prepared', () => {
  assert.throws(
    () => http({ url, tls: { caFile: join(dir, 'missing.pem') } }),
    /^Error: tls\.caFile: cannot read/,
  );
});

test('https: an http check redirected to https on the same host follows it, and verifies the certificate there', async () => {
  const plain = await httpServer((_req, res) => res.writeHead(301, { location: url }).end());
  try {
    const trusted = await runProbe(http({ url: plain.url('/'), tls: { caFile } }));
    assert.deepEqual([trusted.ok, trusted.status, trusted.output], [true, 200, 'secure and sound']);
    assert.equal(trusted.tls?.version, 'TLSv1.3');
    // kubelet skips verification; mend does not, even after a redirect.
    const untrusted = await runProbe(http({ url: plain.url('/') }));
    assert.equal(
      untrusted.error,
      `TLS certificate of ${new URL(url).host} rejected: self-signed certificate; set tls.caFile to trust it (at ${url}, after 1 redirect)`,
    );
  } finally {
    await plain.close();
  }
});

test('https: checks that trust the same CA bundle share one TLS context; another bundle gets its own', async () => {
  const compile = (spec: Record<string, unknown>) => compileHttpCheck(httpProbeSpec.parse(spec));
  const copy = join(dir, 'same-bundle.pem');
  await copyFile(caFile, copy);
  const a = compile({ url, tls: { caFile } });
  const b = compile({ url: `${url}other`, tls: { caFile: copy, serverName: 'localhost' } });
  const system = compile({ url });
  assert.ok(a.first.tls && b.first.tls && system.first.tls);
  // Same bytes under another name and with another serverName: one context.
  assert.equal(a.first.tls.secureContext, b.first.tls.secureContext);
  assert.notEqual(a.first.tls.secureContext, system.first.tls.secureContext);
  assert.equal(
    system.first.tls.secureContext,
    compile({ url: `${url}x` }).first.tls?.secureContext,
  );
  // Sharing changes nothing a probe sees: the CA check passes, the system roots do not trust it.
  const trusted = await runProbe(http({ url, tls: { caFile: copy, serverName: 'localhost' } }));
  assert.equal(trusted.ok, true, trusted.error);
  const untrusted = await runProbe(http({ url }));
  assert.match(untrusted.error ?? '', /self-signed certificate/);
});
