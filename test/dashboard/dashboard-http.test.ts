import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { runMend } from '../helpers/mend-process.ts';
import { type Answer, call, type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/**
 * The dashboard over plain HTTP against a real `mend run`: the session cookie, CSRF, roles, the
 * audit log and escaping, as a browser's requests (or a forger's) reach the server.
 */
let mend: RunningMend;
before(async () => {
  mend = await startRunningMend();
});
after(async () => {
  await mend?.stop();
});

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

interface Signed {
  cookie: string;
  csrf: string;
  /** The address the browser signed in from, and acts from. */
  from?: string;
}

/** Sign in as the browser's form does; the cookie and the page's CSRF header. */
async function signIn(token: string, from?: string): Promise<Signed> {
  const signed = await call(mend.base, 'POST', '/ui/session', {
    ...form({ token }),
    ...(from ? { from } : {}),
  });
  assert.equal(signed.status, 303, signed.body);
  const cookie = String(signed.headers['set-cookie']).split(';')[0]!;
  const overview = await call(mend.base, 'GET', '/', { headers: { cookie } });
  const csrf = /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(overview.body)?.[1];
  assert.ok(csrf, 'the page carries the CSRF header for htmx');
  return { cookie, csrf, ...(from ? { from } : {}) };
}

const post = (path: string, signed: Signed, fields: Record<string, string> = {}, csrf = true) =>
  call(mend.base, 'POST', path, {
    ...form(fields),
    ...(signed.from ? { from: signed.from } : {}),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: signed.cookie,
      ...(csrf ? { 'x-csrf-token': signed.csrf } : {}),
    },
  });

async function auditRows() {
  const store = await openStore({ path: mend.db });
  try {
    return await store.listAudit();
  } finally {
    await store.close();
  }
}

const silences = async () =>
  (
    (await call(mend.base, 'GET', '/api/v1/silences', { token: mend.tokens.viewer })).json() as {
      items: { id: string; comment: string }[];
    }
  ).items;

test('sign-in: a session cookie that is HttpOnly, SameSite=Strict and never the token', async () => {
  const signed = await call(mend.base, 'POST', '/ui/session', form({ token: mend.tokens.viewer }));
  assert.equal(signed.status, 303);
  assert.equal(signed.headers.location, '/');
  const cookie = String(signed.headers['set-cookie']);
  assert.match(cookie, /^mend_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  assert.ok(!cookie.includes(mend.tokens.viewer.slice(5)), 'the token is not in the cookie');
  // Plain HTTP on loopback: no Secure (the browser would drop it); over TLS it is set.
  assert.doesNotMatch(cookie, /Secure/);
});

test('sign-in refused: a wrong token, a token that may not read, another site', async () => {
  const wrong = await call(mend.base, 'POST', '/ui/session', {
    ...form({ token: 'mend_not-a-token' }),
    from: '127.0.3.1',
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers['set-cookie'], undefined);
  assert.match(wrong.body, /role="alert"/);
  const ingest = await call(mend.base, 'POST', '/ui/session', form({ token: mend.tokens.ingest }));
  assert.equal(ingest.status, 403);
  assert.match(ingest.body, /may not read: it needs role viewer/);
  const forged = await call(mend.base, 'POST', '/ui/session', {
    ...form({ token: mend.tokens.operator }),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    },
  });
  assert.equal(forged.status, 403);
  assert.equal(forged.headers['set-cookie'], undefined);
});

test('without a session: the page is the sign-in form, fragments and actions are 401', async () => {
  const page = await call(mend.base, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.body, /<input id="token" name="token" type="password"/);
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  for (const path of ['/ui/fragments/overview', '/ui/events', '/ui/fragments/incidents/inc-1']) {
    assert.equal((await call(mend.base, 'GET', path)).status, 401, path);
  }
  const action = await call(mend.base, 'POST', '/ui/actions/breakers/api/reset');
  assert.equal(action.status, 401);
});

test('an action without the CSRF header is 403 and changes nothing', async () => {
  const operator = await signIn(mend.tokens.operator);
  const before = (await auditRows()).length;
  const refused = await post(
    '/ui/actions/silences',
    operator,
    { matchers: 'service="api"', duration: '1h', comment: 'forged' },
    false,
  );
  assert.equal(refused.status, 403);
  assert.deepEqual(await silences(), []);
  assert.equal((await auditRows()).length, before, 'it never reached the API');
});

test("an operator's action is the API's: applied, audited with the token's name; text escaped", async () => {
  const operator = await signIn(mend.tokens.operator, '127.0.4.1');
  const comment = '<script>alert(1)</script> "drill"';
  const added: Answer = await post('/ui/actions/silences', operator, {
    matchers: 'service="api"\nenv="prod"',
    duration: '1h',
    comment,
  });
  assert.equal(added.status, 200, added.body);
  assert.match(added.body, /Applied: silence sil-\d+ added/);
  assert.equal(added.headers['hx-trigger'], 'mend:changed');
  const [silence] = await silences();
  assert.equal(silence?.comment, comment);
  const row = (await auditRows()).findLast((r) => r.action === 'silence.create');
  assert.equal(row?.actor, 'token:operator-1');
  assert.equal(row?.result, 'accepted');
  assert.equal(row?.source, '127.0.4.1', "the browser's address, not the server's");
  const fragment = await call(mend.base, 'GET', '/ui/fragments/overview', {
    headers: { cookie: operator.cookie },
  });
  assert.ok(!fragment.body.includes('<script>alert(1)'), 'the comment is not markup');
  assert.ok(fragment.body.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;drill&quot;'));
  // Refused by the decision loop: the page says why, under the API's status.
  const again = await post(`/ui/actions/silences/${silence?.id}/expire`, operator);
  assert.equal(again.status, 200, again.body);
  const twice = await post(`/ui/actions/silences/${silence?.id}/expire`, operator);
  assert.equal(twice.status, 409);
  assert.match(twice.body, /Refused: .*no active silence/);
});

test('a runbook run by hand from its form: started as its own incident, or refused and why', async () => {
  const operator = await signIn(mend.tokens.operator);
  const overview = await call(mend.base, 'GET', '/', { headers: { cookie: operator.cookie } });
  assert.match(overview.body, /hx-post="\/ui\/actions\/runbooks\/restart\/runs"/);
  const unknown = await post('/ui/actions/runbooks/restart/runs', operator, {
    service: 'api',
    'param.nope': '1',
  });
  assert.equal(unknown.status, 409, unknown.body);
  assert.match(unknown.body, /Refused: .*nope/);
  const started = await post('/ui/actions/runbooks/restart/runs', operator, { service: 'api' });
  assert.equal(started.status, 201, started.body);
  assert.match(started.body, /Applied: runbook restart runs as inc-\d+:heal:1 in incident inc-\d+/);
});

test("a viewer's forged action is 403, audited as refused with its token's name", async () => {
  const viewer = await signIn(mend.tokens.viewer);
  const overview = await call(mend.base, 'GET', '/', { headers: { cookie: viewer.cookie } });
  assert.doesNotMatch(overview.body, /hx-post="\/ui\/actions/, 'no action is offered');
  const forged = await post('/ui/actions/breakers/api/reset', viewer, { runbook: 'restart' });
  assert.equal(forged.status, 403);
  assert.match(forged.body, /role viewer may not breakers:reset/);
  const row = (await auditRows()).findLast((r) => r.action === 'breaker.reset');
  assert.equal(row?.actor, 'token:viewer-1');
  assert.equal(row?.result, 'refused');
});

test('sign-out ends the session: its cookie no longer opens a page', async () => {
  const viewer = await signIn(mend.tokens.viewer);
  const withoutCsrf = await post('/ui/session/end', viewer, {}, false);
  assert.equal(withoutCsrf.status, 403, 'a forged sign-out is refused too');
  const ended = await post('/ui/session/end', viewer);
  assert.equal(ended.status, 200);
  assert.match(String(ended.headers['set-cookie']), /^mend_session=; .*Max-Age=0/);
  const after = await call(mend.base, 'GET', '/ui/fragments/overview', {
    headers: { cookie: viewer.cookie },
  });
  assert.equal(after.status, 401);
});

test('a revoked token ends its sessions at their next request', async () => {
  const created = await runMend([
    'token',
    'create',
    'short-lived',
    '--role',
    'viewer',
    '--db',
    mend.db,
  ]);
  assert.equal(created.code, 0, created.stderr);
  // From an address of its own: the revoked token's refusals count toward its failure limit.
  const signed = await signIn(created.stdout.trim(), '127.0.5.1');
  const revoked = await runMend(['token', 'revoke', 'short-lived', '--db', mend.db]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const next = await call(mend.base, 'GET', '/ui/fragments/overview', {
    headers: { cookie: signed.cookie },
    from: '127.0.5.1',
  });
  assert.equal(next.status, 401);
  assert.equal(next.headers['hx-redirect'], '/');
  // The fragment reads five things; the API refused the token once, not five times over.
  const refusals = (await auditRows()).filter(
    (r) => r.action === 'auth.refused' && r.source === '127.0.5.1',
  );
  assert.equal(refusals.length, 1, JSON.stringify(refusals));
  const page = await call(mend.base, 'GET', '/', {
    headers: { cookie: signed.cookie },
    from: '127.0.5.1',
  });
  assert.match(page.body, /<input id="token"/, 'signed out: the sign-in form');
});

test("sign-in and sign-out are audited with the token's name and the session's handle, never its cookie", async () => {
  const operator = await signIn(mend.tokens.operator, '127.0.4.2');
  const signedIn = (await auditRows()).findLast((r) => r.action === 'session.sign-in');
  assert.equal(signedIn?.actor, 'token:operator-1');
  assert.equal(signedIn?.role, 'operator');
  assert.equal(signedIn?.source, '127.0.4.2');
  assert.equal(signedIn?.result, 'ok');
  assert.match(signedIn?.target ?? '', /^session\/[0-9a-f]{12}$/);
  const cookieValue = operator.cookie.split('=')[1]!;
  assert.ok(!JSON.stringify(signedIn).includes(cookieValue), 'the cookie is not in the log');
  const ended = await post('/ui/session/end', operator);
  assert.equal(ended.status, 200);
  const signedOut = (await auditRows()).findLast((r) => r.action === 'session.sign-out');
  assert.equal(signedOut?.actor, 'token:operator-1');
  assert.equal(signedOut?.target, signedIn?.target, 'the same session');
  // The old cookie opens nothing now: the page is the sign-in form, a fragment is 401.
  const page = await call(mend.base, 'GET', '/trends', { headers: { cookie: operator.cookie } });
  assert.equal(page.status, 303);
  assert.equal(page.headers.location, '/');
});

test('the audit page: an admin reads the log and the chain verified; operators and viewers get 403', async () => {
  const admin = await signIn(mend.tokens.admin);
  const page = await call(mend.base, 'GET', '/audit', { headers: { cookie: admin.cookie } });
  assert.equal(page.status, 200, page.body);
  assert.match(page.body, /data-audit-verified="true"/);
  assert.match(page.body, /Chain verified:<\/strong> all \d+ rows hold/);
  assert.match(page.body, /<a href="\/audit" aria-current="page">Audit<\/a>/);
  assert.match(page.body, /token:admin-1/);
  const filtered = await call(mend.base, 'GET', '/audit?action=session.sign-in&limit=50', {
    headers: { cookie: admin.cookie },
  });
  assert.ok(
    [...filtered.body.matchAll(/<tr data-seq="\d+">.*?<code>([^<]+)<\/code>/g)].every(
      (m) => m[1] === 'session.sign-in',
    ),
  );
  for (const role of ['operator', 'viewer'] as const) {
    const signed = await signIn(mend.tokens[role]);
    const overview = await call(mend.base, 'GET', '/', { headers: { cookie: signed.cookie } });
    assert.doesNotMatch(overview.body, /href="\/audit"/, `no Audit link for ${role}`);
    const refused = await call(mend.base, 'GET', '/audit', { headers: { cookie: signed.cookie } });
    assert.equal(refused.status, 403, role);
    assert.match(refused.body, new RegExp(`role ${role} may not audit:read: it needs role admin`));
    assert.doesNotMatch(refused.body, /data-seq=|token:admin-1/, 'not one row');
  }
});

test('the trends page: the report and its series in a data block, charts drawn by a script of its own', async () => {
  const viewer = await signIn(mend.tokens.viewer);
  const page = await call(mend.base, 'GET', '/trends?since=24h', {
    headers: { cookie: viewer.cookie },
  });
  assert.equal(page.status, 200, page.body);
  assert.match(page.body, /<script src="\/ui\/static\/uPlot\.iife\.min\.js" defer><\/script>/);
  assert.match(page.body, /<script src="\/ui\/static\/trends\.js" defer><\/script>/);
  assert.match(page.body, /<option value="24h" selected>/);
  const block = /<script type="application\/json" id="trends-data">([^<]*)<\/script>/.exec(
    page.body,
  );
  assert.ok(block, 'the data block');
  const data = JSON.parse(block[1]!) as {
    report: { since: number; until: number };
    series: { buckets: number[]; bucketMs: number };
    recoveryLabels: string[];
  };
  assert.equal(data.report.until - data.report.since, 24 * 3_600_000);
  assert.equal(data.series.bucketMs, 3_600_000);
  assert.equal(data.recoveryLabels.at(-1), '> 4h');
  for (const file of ['uPlot.iife.min.js', 'uPlot.min.css', 'trends.js']) {
    const served = await call(mend.base, 'GET', `/ui/static/${file}`);
    assert.equal(served.status, 200, file);
  }
  const api = await call(mend.base, 'GET', '/api/v1/report/trends?since=1h', {
    token: mend.tokens.viewer,
  });
  assert.equal(api.status, 200, api.body);
  const backwards = await call(mend.base, 'GET', '/api/v1/report/trends?since=1h&until=2h', {
    token: mend.tokens.viewer,
  });
  assert.equal(backwards.status, 400);
});
