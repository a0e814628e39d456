import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { promtool } from '../helpers/promtool.ts';

const DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES = join(DIR, 'mend-rules.yaml');
const TESTS = join(DIR, 'mend-rules.test.yaml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const rules = async (): Promise<RuleFile> => parse(await readFile(RULES, 'utf8'));
const alerts = (file: RuleFile) => file.groups.flatMap((group) => group.rules);

test('promtool check rules accepts mend-rules.yaml', async () => {
  const checked = await promtool(['check', 'rules', RULES]);
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /SUCCESS: 9 rules found/);
});

test('promtool test rules passes mend-rules.test.yaml: each alert fires when it should, not before its for:, not for a healthy instance', async () => {
  const tested = await promtool(['test', 'rules', TESTS]);
  assert.equal(tested.code, 0, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /SUCCESS/);
});

test('every alert waits (for:), has a severity, says what happened and what to do, and has its tests', async () => {
  const file = await rules();
  const tests: { alert_rule_test: { alertname: string }[] }[] = parse(
    await readFile(TESTS, 'utf8'),
  ).tests;
  const tested = new Set(tests.flatMap((t) => t.alert_rule_test.map((a) => a.alertname)));
  for (const rule of alerts(file)) {
    assert.match(rule.for ?? '', /^\d+[smh]$/, `${rule.alert}: for`);
    assert.ok(
      ['critical', 'warning'].includes(rule.labels?.severity ?? ''),
      `${rule.alert}: severity`,
    );
    assert.ok(rule.annotations?.summary, `${rule.alert}: summary`);
    assert.ok((rule.annotations?.description ?? '').length > 80, `${rule.alert}: description`);
    assert.ok(tested.has(rule.alert), `${rule.alert}: tested`);
  }
});

/**
 * The tests can fail, alert by alert: without the alert, its firing case fails; with its `for:`
 * cut to nothing, its case before the `for:` has passed fails.
 */
test('mend-rules.test.yaml fails for each alert removed, and for each alert that stops waiting', async () => {
  const file = await rules();
  const dir = await mkdtemp(join(tmpdir(), 'mend-rules-'));
  try {
    await copyFile(TESTS, join(dir, 'mend-rules.test.yaml'));
    const run = async (mutated: RuleFile) => {
      await writeFile(join(dir, 'mend-rules.yaml'), stringify(mutated));
      return promtool(['test', 'rules', join(dir, 'mend-rules.test.yaml')]);
    };
    const unchanged = await run(file);
    assert.equal(unchanged.code, 0, `the copy passes as the original does:\n${unchanged.stdout}`);
    for (const { alert } of alerts(file)) {
      const without = structuredClone(file);
      for (const group of without.groups)
        group.rules = group.rules.filter((r) => r.alert !== alert);
      const removed = await run(without);
      assert.notEqual(removed.code, 0, `${alert} removed: the tests still pass`);
      assert.match(removed.stdout + removed.stderr, new RegExp(`alertname: ${alert}\\b`));

      const eager = structuredClone(file);
      for (const rule of alerts(eager)) if (rule.alert === alert) rule.for = '0s';
      const hasty = await run(eager);
      assert.notEqual(hasty.code, 0, `${alert} without for: the tests still pass`);
      assert.match(hasty.stdout + hasty.stderr, new RegExp(`alertname: ${alert}\\b`));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
