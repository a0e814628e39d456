import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { TRUNCATION_MARKER } from '../../src/signals/observation.ts';
import { closedPort, probeContext, runProbe } from './helpers.ts';
import { http, httpServer, type Running, tcpServer } from './http-servers.ts';

let healthy = true;
let app: Running;
const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];

/** A server that records what it is asked and lands every request. */
async function landing(host: string) {
  const requests: { url: string; headers: Record<string, unknown> }[] = [];
  const server = await httpServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    res.end('landed');
  }, host);
  return { ...server, seen: requests };
}

let elsewhere: Awaited<ReturnType<typeof landing>>;
let sibling: Awaited<ReturnType<typeof landing>>;

before(async () => {
  // 127.0.0.2 is loopback too, and another host name than 127.0.0.1.
  elsewhere = await landing('127.0.0.2');
  sibling = await landing('127.0.0.1');
  app = await httpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = req.url ?? '/';
      if (path === '/readyz') {
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(healthy ? 'all systems go' : 'database unreachable');
      } else if (path === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first part, ');
        setTimeout(() => res.end('then the needle'), 10);
      } else if (path === '/slow') {
        setTimeout(() => res.end('late'), 150);
      } else if (path === '/teapot') {
        res.writeHead(418).end('short and stout');
      } else if (path === '/empty') {
        res.writeHead(204).end();
      } else if (path === '/old') {
        res.writeHead(302, { location: '/readyz' }).end();
      } else if (path === '/form') {
        res.writeHead(303, { location: '/readyz' }).end();
      } else if (path === '/loop') {
        res.writeHead(307, { location: '/loop' }).end();
      } else if (path === '/away') {
        res.writeHead(302, { location: elsewhere.url('/landing') }).end();
      } else if (path === '/port') {
        res.writeHead(301, { location: sibling.url('/landing') }).end();
      } else if (path === '/stall' || path === '/stall-503') {
        // The headers and the start of the body, then nothing: the connection stays open.
        res.writeHead(path === '/stall' ? 200 : 503, { 'content-length': '100' });
        res.write('hello');
      } else if (path === '/cut') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('hello', () => res.destroy());
      } else if (path === '/unchanged') {
        res.writeHead(304).end();
      } else if (path === '/gone') {
        res.writeHead(302, { location: '/missing' }).end();
      } else if (path === '/nowhere') {
        res.writeHead(302, { location: 'http://[nope/' }).end();
      } else {
        res.writeHead(404).end('not found');
      }
    });
  });
});

after(() => Promise.all([app.close(), elsewhere.close(), sibling.close()]));

test('http: 200 succeeds, then 503 fails with the status and the body as evidence', async () => {
  const probe = http({ url: app.url('/readyz') });
  const up = await runProbe(probe);
  assert.equal(up.ok, true);
  assert.equal(up.status, 200);
  assert.equal(up.output, 'all systems go');
  for (const phase of ['resolveMs', 'connectMs', 'processingMs', 'transferMs'] as const) {
    assert.ok((up.phases?.[phase] ?? -1) >= 0, `${phase} missing`);
  }
  assert.equal(up.phases?.tlsMs, undefined);
  healthy = false;
  try {
    const down = await runProbe(probe);
    assert.equal(down.ok, false);
    assert.equal(down.status, 503);
    assert.equal(down.error, 'status 503, expected 200-399');
    assert.equal(down.output, 'database unreachable');
  } finally {
    healthy = true;
  }
});

test('http: the request carries Host, the configured headers and body, and Connection: close', async () => {
  seen.length = 0;
  const probe = http({
    url: app.url('/readyz?verbose=1'),
    method: 'POST',
    headers: { 'X-Probe': 'mend', Authorization: 'Bearer t0ken' },
    body: '{"deep":true}',
  });
  await runProbe(probe);
  const request = seen[0];
  assert.equal(request?.method, 'POST');
  assert.equal(request?.url, '/readyz?verbose=1');
  assert.equal(request?.headers.host, `127.0.0.1:${app.port}`);
  assert.equal(request?.headers['x-probe'], 'mend');
  assert.equal(request?.headers.connection, 'close');
  assert.equal(request?.body, '{"deep":true}');
});

test("http: kubelet's default headers, User-Agent mend-probe/VERSION and Accept */*; configured ones win, empty ones are left out", async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8'));
  seen.length = 0;
  await runProbe(http({ url: app.url('/readyz') }));
  assert.equal(seen[0]?.headers['user-agent'], `mend-probe/${version}`);
  assert.equal(seen[0]?.headers.accept, '*/*');
  await runProbe(
    http({ url: app.url('/readyz'), headers: { 'user-agent': 'curl/8', Accept: 'text/plain' } }),
  );
  assert.equal(seen[1]?.headers['user-agent'], 'curl/8');
  assert.equal(seen[1]?.headers.accept, 'text/plain');
  await runProbe(http({ url: app.url('/readyz'), headers: { 'User-Agent': '', Accept: '' } }));
  assert.deepEqual(
    [seen[2]?.headers['user-agent'], seen[2]?.headers.accept],
    [undefined, undefined],
  );
});

test('http: a header that would split the request is refused when the check is prepared', () => {
  assert.throws(() => http({ url: app.url(), headers: { 'X-A': 'a\r\nX-Injected: 1' } }), /CR, LF/);
});

test('http: status list, body contains, body regex, latency', async () => {
  const teapot = await runProbe(http({ url: app.url('/teapot'), expectedStatus: [200, 418] }));
  assert.equal(teapot.ok, true);
  const notListed = await runProbe(http({ url: app.url('/teapot'), expectedStatus: [200, 204] }));
  assert.equal(notListed.error, 'status 418, expected one of 200, 204');
  const contains = await runProbe(http({ url: app.url('/chunked'), bodyContains: 'needle' }));
  assert.equal(contains.ok, true);
  assert.equal(contains.output, 'first part, then the needle');
  const missing = await runProbe(http({ url: app.url('/readyz'), bodyContains: 'needle' }));
  assert.equal(missing.error, 'body does not contain "needle"');
  const regex = await runProbe(http({ url: app.url('/readyz'), bodyRegex: '^all \\w+ go$' }));
  assert.equal(regex.ok, true);
  const noMatch = await runProbe(http({ url: app.url('/readyz'), bodyRegex: '^down' }));
  assert.equal(noMatch.error, 'body does not match /^down/');
  const slow = await runProbe(http({ url: app.url('/slow'), maxLatencyMs: 50 }));
  assert.equal(slow.ok, false);
  assert.match(slow.error ?? '', /^took \d{3,} ms, over maxLatencyMs 50$/);
  assert.equal((await runProbe(http({ url: app.url('/slow'), maxLatencyMs: 1000 }))).ok, true);
});

test('http: HEAD and 204 answers have no body', async () => {
  const head = await runProbe(http({ url: app.url('/readyz'), method: 'HEAD' }));
  assert.deepEqual([head.ok, head.status, head.output], [true, 200, undefined]);
  const empty = await runProbe(http({ url: app.url('/empty') }));
  assert.deepEqual([empty.ok, empty.status], [true, 204]);
});

test('http: a same-host redirect is followed, as kubelet does: any port, up to 10; the 11th is an error', async () => {
  seen.length = 0;
  const old = await runProbe(http({ url: app.url('/old') }));
  assert.deepEqual(
    [old.ok, old.status, old.output, old.warning],
    [true, 200, 'all systems go', undefined],
  );
  assert.deepEqual(
    seen.map((r) => r.url),
    ['/old', '/readyz'],
  );
  // Another port on the same host name is the same host (kubelet compares URL.Hostname()).
  sibling.seen.length = 0;
  // ... and another origin: a configured Host header stays behind.
  const port = await runProbe(http({ url: app.url('/port'), headers: { Host: 'api.example' } }));
  assert.deepEqual([port.ok, port.status], [true, 200]);
  assert.deepEqual(
    sibling.seen.map((r) => [r.url, r.headers.host]),
    [['/landing', `127.0.0.1:${sibling.port}`]],
  );
  seen.length = 0;
  const loop = await runProbe(http({ url: app.url('/loop') }));
  assert.equal(loop.ok, false);
  assert.equal(loop.error, `stopped after 10 redirects (the next was to ${app.url('/loop')})`);
  assert.equal(seen.length, 11);
});

test('http: a redirect to another host is not followed and counts as success, saying so, as kubelet does', async () => {
  elsewhere.seen.length = 0;
  const away = await runProbe(http({ url: app.url('/away') }));
  assert.deepEqual([away.ok, away.status, away.error], [true, 302, undefined]);
  assert.equal(
    away.warning,
    `302 to another host (${elsewhere.url('/landing')}), not followed: counted as success, as kubelet does`,
  );
  assert.equal(elsewhere.seen.length, 0);
  // A status list is judged on the same answer: the redirect.
  const strict = await runProbe(http({ url: app.url('/away'), expectedStatus: [200] }));
  assert.equal(
    strict.error,
    `status 302, expected 200 (redirect to another host (${elsewhere.url('/landing')}), not followed; see followRedirects)`,
  );
  const listed = await runProbe(http({ url: app.url('/away'), expectedStatus: [302] }));
  assert.deepEqual([listed.ok, listed.warning], [true, undefined]);
});

test('http: followRedirects true follows to other hosts too, without credentials or the configured Host; false follows none', async () => {
  const headers = { Host: 'api.example', Authorization: 'Bearer t0ken', 'X-Trace': 'kept' };
  seen.length = 0;
  elsewhere.seen.length = 0;
  const any = await runProbe(http({ url: app.url('/away'), followRedirects: true, headers }));
  assert.deepEqual([any.ok, any.status, any.output], [true, 200, 'landed']);
  assert.deepEqual(
    [seen[0]?.headers.host, seen[0]?.headers.authorization],
    ['api.example', 'Bearer t0ken'],
  );
  const there = elsewhere.seen[0]?.headers;
  assert.deepEqual(
    [there?.host, there?.authorization, there?.['x-trace']],
    [`127.0.0.2:${elsewhere.port}`, undefined, 'kept'],
  );
  // On the same origin the configured Host and credentials stay.
  seen.length = 0;
  await runProbe(http({ url: app.url('/old'), headers }));
  assert.deepEqual(
    seen.map((r) => [r.url, r.headers.host, r.headers.authorization]),
    [
      ['/old', 'api.example', 'Bearer t0ken'],
      ['/readyz', 'api.example', 'Bearer t0ken'],
    ],
  );
  const loop = await runProbe(http({ url: app.url('/loop'), followRedirects: true }));
  assert.equal(loop.error, `stopped after 10 redirects (the next was to ${app.url('/loop')})`);
  seen.length = 0;
  const none = await runProbe(http({ url: app.url('/old'), followRedirects: false }));
  assert.deepEqual([none.ok, none.status], [true, 302]);
  assert.equal(
    none.warning,
    '302 to /readyz, not followed (followRedirects: false): counted as success, as kubelet counts any 3xx',
  );
  assert.equal(seen.length, 1);
});

test('http: a 3xx that is no redirect passes with a warning; a failure after redirects says where', async () => {
  const unchanged = await runProbe(http({ url: app.url('/unchanged') }));
  assert.deepEqual(
    [unchanged.ok, unchanged.status, unchanged.warning],
    [true, 304, 'status 304 counted as success, as kubelet counts any 3xx'],
  );
  const gone = await runProbe(http({ url: app.url('/gone') }));
  assert.equal(
    gone.error,
    `status 404, expected 200-399 (at ${app.url('/missing')}, after 1 redirect)`,
  );
  const bad = await runProbe(http({ url: app.url('/nowhere') }));
  assert.equal(bad.error, 'status 302 to a Location that is not a URL: "http://[nope/"');
});

test('http: a POST redirected with 303 continues as a GET without the body', async () => {
  seen.length = 0;
  await runProbe(http({ url: app.url('/form'), method: 'POST', body: 'x' }));
  assert.deepEqual(
    seen.map((r) => `${r.method} ${r.url} ${r.body}`),
    ['POST /form x', 'GET /readyz '],
  );
});

test('http: a passing status whose body then stalls or breaks off is discarded, neither success nor failure, as kubelet does', async () => {
  const stalled = await runProbe(http({ url: app.url('/stall') }), probeContext(300));
  assert.deepEqual(
    [stalled.ok, stalled.discarded, stalled.status, stalled.output],
    [false, true, 200, `hello${TRUNCATION_MARKER}`],
  );
  assert.equal(
    stalled.error,
    'status 200, then timed out after 300 ms reading the response: discarded, neither a success nor a failure, as kubelet does',
  );
  const cut = await runProbe(http({ url: app.url('/cut') }));
  assert.deepEqual([cut.ok, cut.discarded], [false, true]);
  assert.equal(
    cut.error,
    'status 200, then the server closed the connection after 5 of 100 body bytes: discarded, neither a success nor a failure, as kubelet does',
  );
  // A failing status is a failure whatever the body does next.
  const failing = await runProbe(http({ url: app.url('/stall-503') }), probeContext(300));
  assert.deepEqual(
    [failing.ok, failing.discarded, failing.error],
    [false, undefined, 'status 503, expected 200-399'],
  );
});

test('http: output is bounded by maxOutputBytes and marked', async () => {
  const result = await runProbe(http({ url: app.url('/readyz') }), probeContext(2000, 3));
  assert.equal(result.output, `all${TRUNCATION_MARKER}`);
});

test('http: a closed port is refused', async () => {
  const port = await closedPort();
  const result = await runProbe(http({ url: `http://127.0.0.1:${port}/` }));
  assert.equal(result.ok, false);
  assert.equal(result.error, `connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.ok(result.phases?.resolveMs !== undefined);
});

test('http: localhost resolves through the DNS cache', async () => {
  const result = await runProbe(http({ url: `http://localhost:${app.port}/readyz` }));
  // localhost may resolve to ::1 first, where nothing listens: either answer is a clean line.
  assert.ok(result.ok || /^connect ECONNREFUSED \[::1\]/.test(result.error ?? ''), result.error);
});

test('http: a server that never answers times out and the socket is closed', async () => {
  const silent = await tcpServer((socket) => socket.resume());
  try {
    const result = await runProbe(http({ url: silent.url() }), probeContext(300));
    assert.equal(result.error, 'timed out after 300 ms waiting for the first byte');
    assert.ok(result.durationMs < 800, `took ${result.durationMs} ms`);
    const socket = silent.sockets[0];
    if (socket && !socket.closed) await once(socket, 'close');
  } finally {
    await silent.close();
  }
});

test('http: a reset connection is named as one', async () => {
  const rude = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  try {
    const result = await runProbe(http({ url: rude.url() }));
    assert.equal(
      result.error,
      `connection reset by 127.0.0.1:${rude.port} while waiting for the first byte`,
    );
  } finally {
    await rude.close();
  }
});

test('http: a peer that is not HTTP is named by what it said', async () => {
  const ssh = await tcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
  try {
    const result = await runProbe(http({ url: ssh.url() }));
    assert.equal(result.error, 'not an HTTP response: "SSH-2.0-OpenSSH_9.6\\r\\n"');
  } finally {
    await ssh.close();
  }
});

test('http: headers split across packets, and a body ended by closing the connection', async () => {
  const pieces = [
    'HTTP/1.1 2',
    '00 OK\r\nContent-Ty',
    'pe: text/plain\r',
    '\n\r\n',
    'up and ',
    'running',
  ];
  const slowWriter = await tcpServer((socket) => {
    socket.once('data', async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 5));
      }
      socket.end();
    });
  });
  try {
    const result = await runProbe(http({ url: slowWriter.url(), bodyContains: 'running' }));
    assert.deepEqual([result.ok, result.status, result.output], [true, 200, 'up and running']);
  } finally {
    await slowWriter.close();
  }
});

test('http: a 1 GB body costs one bounded read, and the server sees the client leave', async () => {
  const GB = 2 ** 30;
  let sent = 0;
  let left: () => void = () => {};
  const clientLeft = new Promise<void>((resolve) => {
    left = resolve;
  });
  const firehose = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(GB) });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = (): void => {
      while (sent < GB) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', left);
    pump();
  });
  try {
    const rssBefore = process.memoryUsage().rss;
    const result = await runProbe(http({ url: firehose.url(), bodyContains: 'needle' }));
    assert.equal(result.error, 'body does not contain "needle" (in the part of the body read)');
    assert.ok(result.durationMs < 1000, `took ${result.durationMs} ms`);
    assert.ok((result.output?.length ?? 0) <= 64 * 1024 + TRUNCATION_MARKER.length);
    await clientLeft;
    assert.ok(sent < 64 * 2 ** 20, `server sent ${sent} bytes`);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 2 ** 20);
    // Without body checks the probe still stops at maxBodyBytes.
    sent = 0;
    const statusOnly = await runProbe(http({ url: firehose.url() }));
    assert.deepEqual([statusOnly.ok, statusOnly.status], [true, 200]);
    assert.ok(statusOnly.durationMs < 1000);
  } finally {
    await firehose.close();
  }
});
