import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/**
 * A real `mend run` for the dashboard's tests, with three services, each probed on a target the
 * test breaks and mends:
 * - `api` (env=prod) is healed by `restart`, whose exec step prints a line with a `<script>` tag
 *   (command output is attacker-controlled text: the page must show it as text);
 * - `gate` (env=stage) is healed only once a person approves;
 * - `db` (env=prod) is healed by `broken`, which fails, so its breaker (one heal within 1h) opens.
 * `api` and `gate` have room for five heals: their breakers stay closed.
 */
export interface DashboardMend extends RunningMend {
  targets: Record<'api' | 'gate' | 'db', FlakyServer>;
}

/** What the `restart` runbook prints: a test looks for it, as text, on the incident's page. */
export const HOSTILE_LINE = '<script>window.__mendInjected = true</script> restarted';

const service = (name: string, env: string, url: string) => `apiVersion: mend/v1
kind: Service
metadata: { name: ${name}, labels: { env: ${env} } }
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      failureThreshold: 2
      http: { url: "${url}" }
`;

const policy = (
  name: string,
  serviceName: string,
  runbook: string,
  maxAttempts: number,
  extra = '',
) => `apiVersion: mend/v1
kind: Policy
metadata: { name: ${name} }
spec:
  match:
    services: { names: [${serviceName}] }
  for: 0s
  heal: { runbook: ${runbook} }
  maxAttempts: ${maxAttempts}
  window: 1h
  cooldown: 0s
${extra}`;

const runbook = (name: string, script: string) => `apiVersion: mend/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  steps:
    - name: ${name}
      exec: { command: ${JSON.stringify([process.execPath, '-e', script])} }
    - name: verify
      timeout: 60s
      verify: {}
`;

export async function startDashboardMend(): Promise<DashboardMend> {
  const gate = await startFlakyServer(200);
  const db = await startFlakyServer(200);
  const config = (apiUrl: string) =>
    [
      service('api', 'prod', apiUrl),
      service('gate', 'stage', gate.url),
      service('db', 'prod', db.url),
      policy('heal-api', 'api', 'restart', 5),
      policy('heal-gate', 'gate', 'restart', 5, '  requireApproval: { expiresAfter: 10m }\n'),
      policy('heal-db', 'db', 'broken', 1),
      runbook('restart', `console.log(${JSON.stringify(HOSTILE_LINE)})`),
      runbook('broken', 'console.error("cannot restart db"); process.exit(3)'),
    ].join('---\n');
  let mend: RunningMend;
  try {
    mend = await startRunningMend({ config });
  } catch (err) {
    await Promise.all([gate.close(), db.close()]);
    throw err;
  }
  return {
    ...mend,
    targets: { api: mend.target, gate, db },
    async stop() {
      await mend.stop();
      await Promise.all([gate.close(), db.close()]);
    },
  };
}
