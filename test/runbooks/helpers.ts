import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/config.ts';
import { formatErrors } from '../../src/config/config-error.ts';
import { loadMendConfig } from '../../src/documents.ts';
import type { HealCommand, OutcomeInput } from '../../src/policy/types.ts';
import { createLogger } from '../../src/support/log.ts';

export const NODE = process.execPath;
export const PRINT_ARGV = fileURLToPath(new URL('./fixtures/print-argv.mjs', import.meta.url));
export const APPEND_STEP = fileURLToPath(new URL('./fixtures/append-step.mjs', import.meta.url));

export const silentLog = createLogger({ level: 'silent', pretty: false });

/** A temp dir for one test, removed after it. */
export async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-runbooks-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Load YAML text as a config (written to `dir`); throws with every error when invalid. */
export async function configFrom(dir: string, yaml: string): Promise<Config> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yaml);
  const { config, errors } = await loadMendConfig([file]);
  if (!config) throw new Error(formatErrors(errors));
  return config;
}

export { tempStore } from '../helpers/test-store.ts';

/** A Service whose one check is an exec of `argv` (a JSON list). */
export function serviceYaml(name: string, argv: string[] = ['/bin/true'], labels = '{}'): string {
  return `apiVersion: mend/v1
kind: Service
metadata: {name: ${name}, labels: ${labels}}
spec:
  checks:
    - name: live
      periodSeconds: 1
      exec: {command: ${JSON.stringify(argv)}}
---
`;
}

/** A Runbook document; `spec` is YAML indented by two spaces. */
export function runbookYaml(name: string, spec: string): string {
  return `apiVersion: mend/v1
kind: Runbook
metadata: {name: ${name}}
spec:
${spec}
---
`;
}

/** A heal command as the engine plans it. */
export function heal(
  runbook: string,
  service: string,
  params: HealCommand['params'] = {},
  id = 'inc-1:heal:1',
): HealCommand {
  return {
    kind: 'heal',
    id,
    idempotencyKey: id,
    incidentId: id.split(':')[0]!,
    service,
    runbook,
    params,
    policy: 'p',
    rung: 0,
    attempt: 1,
  };
}

/** A `report` that keeps what it was told. */
export function reports(): { outcomes: OutcomeInput[]; report: (outcome: OutcomeInput) => void } {
  const outcomes: OutcomeInput[] = [];
  return { outcomes, report: (outcome) => outcomes.push(outcome) };
}

const HEAL_DRIVER = fileURLToPath(new URL('./fixtures/heal-driver.ts', import.meta.url));

export interface DriverRun {
  signal: NodeJS.Signals | null;
  stdout: string;
  outcome?: { result: string; detail: string };
}

/**
 * The heal driver (a real mend executor process, fixtures/heal-driver.ts) on `dir`/mend.yaml and
 * `dir`/mend.db, run to its end; `killWhen` is polled while it runs, and SIGKILLs it once true.
 */
export function driveHeal(
  dir: string,
  env: Record<string, string> = {},
  killWhen?: () => Promise<boolean>,
): Promise<DriverRun> {
  return new Promise((resolve) => {
    const child = spawn(
      NODE,
      [HEAL_DRIVER, join(dir, 'mend.yaml'), join(dir, 'mend.db'), 'inc-1:heal:1'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const poll =
      killWhen &&
      setInterval(() => {
        void killWhen().then((yes) => {
          if (yes) child.kill('SIGKILL');
        });
      }, 10);
    child.once('close', (_code, signal) => {
      clearInterval(poll);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      const outcome = last.startsWith('{') ? JSON.parse(last).outcomes[0] : undefined;
      resolve({ signal, stdout, ...(outcome ? { outcome } : {}) });
    });
  });
}
