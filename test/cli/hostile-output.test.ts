import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { ATTACK, ATTACK_SHOWN, RAW_CONTROL } from '../helpers/terminal.ts';

/**
 * A real `mend run` whose exec probe and runbook step print escape sequences and Markdown, then
 * every command a person reads the incident with: what they print holds no control a terminal
 * obeys, and the Markdown report adds no link, image or HTML.
 */
const SAID = `${ATTACK} [click](http://evil.example) <img src=x>`;
const q = JSON.stringify;

let dir: string;
let db: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-hostile-'));
  db = join(dir, 'mend.db');
  const config = join(dir, 'mend.yaml');
  await writeFile(
    config,
    `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      failureThreshold: 2
      exec: { command: [sh, -c, 'printf "%s\\n" "$SAID"; exit 1'], env: { SAID: ${q(SAID)} } }
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  steps:
    - name: restart
      exec: { command: [sh, -c, 'printf "%s\\n\\tindented\\n" "$SAID"'], env: { SAID: ${q(SAID)} } }
    - verify: {}
      timeout: 500ms
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart-api }
spec:
  match: { services: { names: [api] } }
  for: 0s
  heal: { runbook: restart }
`,
  );
  const mend = new MendProcess([
    'run',
    '-c',
    config,
    '--db',
    db,
    '--listen',
    '127.0.0.1:0',
    '--workers',
    '1',
  ]);
  try {
    await mend.waitForLog(/^runbook restart on api \(inc-1:heal:1\): failed/, 20_000);
  } finally {
    mend.kill('SIGTERM');
  }
  assert.equal(await mend.exited, 0, mend.stderr);
  assert.ok(mend.stdout.includes(q(ATTACK).slice(1, -1)), 'the JSON log lines stay JSON');
});
after(() => rm(dir, { recursive: true, force: true }));

async function mend(...args: string[]): Promise<string> {
  const result = await runMend([...args, '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(RAW_CONTROL.test(result.stdout), false, `${args.join(' ')}: ${q(result.stdout)}`);
  return result.stdout;
}

test('incidents list and report: one line per row, the target’s escape sequences shown', async () => {
  const list = await mend('incidents', 'list');
  assert.equal(list.trimEnd().split('\n').length, 2, list);
  assert.ok(list.includes(`exit code 1, expected 0: ${ATTACK_SHOWN.slice(0, 20)}`), list);
  await mend('report');
});

test('incidents show: the timeline one line per entry; the report literal Markdown', async () => {
  const text = await mend('incidents', 'show', 'inc-1');
  assert.match(
    text,
    /^Incident inc-1: api: 2 consecutive failures: exit code 1, expected 0: \\e\]0;PWNED\\a/,
  );
  const md = await mend('incidents', 'show', 'inc-1', '--format', 'md');
  const prose = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
  assert.equal(/[^\\]\]\(|[^\\]<img/.test(prose), false, prose);
  // The step's output in its block, as it was printed: tab kept, controls shown.
  assert.ok(
    md.includes(
      `\`\`\`text\n${ATTACK_SHOWN} [click](http://evil.example) <img src=x>\n\tindented\n\`\`\``,
    ),
    md,
  );
  const json = JSON.parse(await mend('incidents', 'show', 'inc-1', '--format', 'json'));
  assert.ok(JSON.stringify(json).includes(q(ATTACK).slice(1, -1)), 'the store keeps what was said');
});
