import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatErrors } from '../../src/config/config-error.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { type Files, service, withFiles } from './files.ts';

async function load(files: Files) {
  return withFiles(files, async (dir) => {
    const result = await loadMendConfig(Object.keys(files).map((name) => join(dir, name)));
    const strip = (line: string) => line.replaceAll(`${dir}/`, '');
    return {
      errors: formatErrors(result.errors).split('\n').map(strip),
      notes: result.notes.map(strip),
    };
  });
}

const runbook = (name: string, spec: string) =>
  `apiVersion: mend/v1\nkind: Runbook\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;
const steps = '  steps:\n    - name: v\n      verify: {}';

test('a Service whose YAML broke still counts as defined: no "unknown dependency" elsewhere', async () => {
  const result = await load({
    'a.yaml': service('api', '  dependsOn: [db]\n  checks: []'),
    'b.yaml': service('db', '  checks: [\n  labels: x'),
  });
  assert.deepEqual(result, {
    errors: [
      'b.yaml:6:11: YAML: expected a ] to close the flow sequence opened by this [, found none (the parser gave up at line 7, column 3)',
    ],
    notes: [],
  });
});

test('a file that cannot be parsed far enough to name anything: references are not checked, and a note says so', async () => {
  const result = await load({
    'a.yaml': service('api', '  dependsOn: [db]\n  checks: []'),
    'b.yaml': `a: ${'['.repeat(100)}\n`,
  });
  assert.deepEqual(result.errors, [
    'b.yaml:1:67: expected at most 64 levels of nested mappings and lists (the limit), found more here: look for a [ or { that is never closed, or flatten the document',
  ]);
  assert.deepEqual(result.notes, [
    '1 reference to other documents not checked: a file above could not be read or parsed, and may define what they name; fix it and validate again',
  ]);
});

test('a Runbook that fails its schema still counts as defined for the policies that name it', async () => {
  const result = await load({
    'r.yaml': `${runbook('restart', `${steps}\n  bogus: 1`)}---\n${runbook('other', steps)}`,
    'p.yaml': `${service('api')}---\napiVersion: mend/v1\nkind: Policy\nmetadata:\n  name: p\nspec:\n  heal: { runbook: restart }\n`,
  });
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0]!, /^r\.yaml:9:3: spec\.bogus: expected one of the fields/);
});

test('a reference to a name nothing defines is still reported', async () => {
  const result = await load({
    'a.yaml': service('api', '  dependsOn: [dbx]\n  checks: []'),
    'b.yaml': service('db', '  checks: [\n  labels: x'),
  });
  assert.equal(result.errors.length, 2);
  assert.match(
    result.errors[0]!,
    /^a\.yaml:6:15: spec\.dependsOn\[0\]: expected the name of a Service/,
  );
});
