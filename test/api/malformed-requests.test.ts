import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { openStore } from '../../src/store/open.ts';
import { verifyAuditLog } from '../../src/store/verify-audit.ts';
import { call, type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/**
 * Random and malformed bodies, headers and query strings, to every route: never a 5xx, never a
 * stack trace or an internal path in an answer, every error a problem document, and nothing half
 * recorded (the audit chain holds, no operator request is left pending).
 */
let mend: RunningMend;
let routes: { method: string; path: string }[];
before(async () => {
  mend = await startRunningMend();
  const document = (await call(mend.base, 'GET', '/api/v1/openapi.json')).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/v1/') && !path.endsWith('/stream'))
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })),
    );
});
after(async () => {
  await mend?.stop();
});

const segment = fc.oneof(
  fc.constantFrom(
    'x',
    'inc-1',
    'inc-99999999999999999999',
    'sil-1',
    '%00',
    '%2e%2e',
    'a'.repeat(300),
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"matchers":', 'null', '[]', '{"__proto__":{"x":1}}', '"\\ud800"'),
  fc
    .record(
      {
        matchers: fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }),
        duration: fc.string({ maxLength: 6 }),
        comment: fc.string({ maxLength: 10 }),
        endsAt: fc.oneof(fc.integer(), fc.double(), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
);
const query = fc.dictionary(
  fc.constantFrom('since', 'until', 'limit', 'cursor', 'status', 'service', 'after', 'x', 'format'),
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('7d', '-1', '1e309', '0', '2026-13-45T99:00:00Z', 'inc-1'),
  ),
  { maxKeys: 3 },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
);

test('random requests to every route: no 5xx, no stack, problems for errors, nothing half recorded', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(),
      segment,
      query,
      fc.option(json, { nil: undefined }),
      contentType,
      fc.constantFrom('admin', 'operator', 'viewer'),
      async (pick, seg, q, body, type, role) => {
        const route = routes[pick % routes.length]!;
        const path = route.path.replace(/\{[^}]+\}/g, seg);
        const search = new URLSearchParams(q).toString();
        const answer = await call(mend.base, route.method, `${path}${search ? `?${search}` : ''}`, {
          token: mend.tokens[role as 'admin'],
          ...(body !== undefined ? { body } : {}),
          headers: type === '' ? {} : { 'content-type': type },
        });
        const where = `${route.method} ${path}?${search} ${type} ${body}: ${answer.status} ${answer.body.slice(0, 300)}`;
        assert.ok(answer.status < 500, where);
        assert.doesNotMatch(answer.body, /\n\s+at |node:internal|\/src\/|\.ts:\d+/, where);
        if (answer.status >= 400) {
          assert.match(
            String(answer.headers['content-type']),
            /^application\/problem\+json/,
            where,
          );
          const problem = answer.json() as { title: string; detail: string; status: number };
          assert.equal(problem.status, answer.status, where);
          assert.ok(problem.detail.length > 0, where);
        }
      },
    ),
    { numRuns: 300 },
  );
  const store = await openStore({ path: mend.db });
  try {
    assert.equal((await verifyAuditLog(store)).ok, true);
    assert.deepEqual(await store.pendingOperatorRequests(), []);
  } finally {
    await store.close();
  }
});
