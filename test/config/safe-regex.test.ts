import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSafeRegex, safeRegex } from '../../src/config/safe-regex.ts';
import { errorLines, service } from './files.ts';

const timed = <T>(body: () => T): { value: T; ms: number } => {
  const started = performance.now();
  const value = body();
  return { value, ms: performance.now() - started };
};

test('patterns that backtrack exponentially in JavaScript match in linear time', () => {
  const text = `${'a'.repeat(50_000)}!`;
  for (const pattern of ['(a+)+$', '(a|a)*$', '(a|aa)+$', '(.*a){20}$']) {
    const { value, ms } = timed(() => safeRegex(pattern, { anchored: true }).test(text));
    assert.equal(value, false, pattern);
    assert.ok(ms < 1000, `${pattern} took ${ms} ms`);
  }
});

test('search and anchored matching', () => {
  assert.equal(safeRegex('status.*ok').test('{"status": "ok"}'), true);
  assert.equal(safeRegex('[a-z]+', { anchored: true }).test('ok; rm -rf /'), false);
  assert.equal(safeRegex('a|b', { anchored: true }).test('b'), true);
  assert.equal(safeRegex('(?i)READY').test('ready'), true);
});

test('what RE2 cannot do is refused at load, saying why', () => {
  const error = (pattern: string) => {
    const compiled = compileSafeRegex(pattern);
    return 'error' in compiled ? compiled.error : 'compiled';
  };
  assert.equal(
    error('a(?=b)'),
    'expected a regular expression in RE2 syntax, found "a(?=b)" (invalid or unsupported Perl syntax: `(?=`; RE2 has no lookaround or backreferences)',
  );
  assert.equal(
    error('(a)\\1'),
    'expected a regular expression in RE2 syntax, found "(a)\\\\1" (invalid escape sequence: `\\1`; RE2 has no lookaround or backreferences)',
  );
  assert.equal(
    error('x'.repeat(5000)),
    `expected a regular expression in RE2 syntax, found "${'x'.repeat(80)}…" (5,000 characters, over the limit of 4,096)`,
  );
  assert.equal(
    error('(a{1000}){1000}'),
    'expected a regular expression in RE2 syntax, found "(a{1000}){1000}" (invalid repeat count: `{1000}`)',
  );
});

test('a runbook param whose default defeats a backtracking pattern loads at once', async () => {
  const runbook = `apiVersion: mend/v1
kind: Runbook
metadata: { name: r }
spec:
  params:
    x: { pattern: "(a+)+$", default: "${'a'.repeat(40)}!" }
  steps:
    - name: v
      verify: {}
`;
  const { value, ms } = await (async () => {
    const started = performance.now();
    const value = await errorLines({ 'r.yaml': runbook });
    return { value, ms: performance.now() - started };
  })();
  assert.ok(ms < 2000, `took ${ms} ms`);
  assert.deepEqual(value, [
    `r.yaml:6:38: spec.params.x.default: expected a value matching (a+)+$, found "${'a'.repeat(40)}!"`,
  ]);
});

test('bodyRegex is RE2 too: a lookbehind is refused', async () => {
  const check = '  checks:\n    - name: web\n      http: {url: "http://x/", bodyRegex: "(?<!a)b"}';
  assert.deepEqual(await errorLines({ 'a.yaml': service('api', check) }), [
    'a.yaml:8:43: spec.checks[0].http.bodyRegex: expected a regular expression in RE2 syntax, found "(?<!a)b" (invalid named capture: `(?<!a)b`; RE2 has no lookaround or backreferences)',
  ]);
});

test('a log check’s pattern and redact patterns are RE2 too, each refused where it is', async () => {
  const check =
    '  checks:\n    - name: errors\n      log: {path: app.log, pattern: "(?=x)", redact: ["ok", "a\\\\1"]}';
  const lines = await errorLines({ 'a.yaml': service('api', check) });
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(
    lines[0]!,
    /spec\.checks\[0\]\.log\.pattern: expected a regular expression in RE2 syntax, found "\(\?=x\)"/,
  );
  assert.match(
    lines[1]!,
    /spec\.checks\[0\]\.log\.redact\[1\]: expected a regular expression in RE2 syntax/,
  );
});
