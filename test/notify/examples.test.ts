import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { loadYaml } from './fixtures.ts';

const EXAMPLE = new URL('../../examples/notifiers/notifiers.yaml', import.meta.url);

/** The commented examples (each starts with a `# ---` line), uncommented. */
function uncommented(text: string): string {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '# ---') {
      inside = true;
      out.push('---');
    } else if (inside && line.startsWith('# ')) {
      out.push(line.slice(2));
    } else {
      if (line.trim() === '') inside = false;
      out.push(line);
    }
  }
  return out.join('\n');
}

test('examples/notifiers loads, and so does each commented example once uncommented', async () => {
  const text = await readFile(EXAMPLE, 'utf8');
  const plain = await loadYaml(text);
  assert.deepEqual(
    plain.notifiers.map((n) => [n.name, n.kind]),
    [['demo-pager', 'webhook']],
  );
  const all = await loadYaml(uncommented(text));
  assert.deepEqual(
    all.notifiers.map((n) => [n.name, n.kind]),
    [
      ['demo-pager', 'webhook'],
      ['oncall', 'pagerduty'],
      ['ops-channel', 'slack'],
      ['ops-mail', 'email'],
    ],
  );
});
