import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/**
 * A real `mend run` for the dashboard's tests, with three services, each probed on a target the
 * test breaks and mends:
 * - `api` (env=prod) is healed by `restart`, whose exec step prints a line with a `<script>` tag
 *   (command output is attacker-controlled text: the page must show it as text);
 * - `gate` (env=stage) is healed only once a person approves;
 * - `db` (env=prod) is healed by `broken`, which fails, so its breaker (one heal within 1h) opens.
 * - `cache` (env=prod) is healed by `restart`, and `web` (env=prod) depends on it: while cache is
 *   down, web's incident is held by cache's (linked);
 * - `spare` (env=stage) has a policy in shadow mode: mend says what it would do, and does nothing.
 * `api`, `gate`, `cache` and `web` have room for five heals: their breakers stay closed.
 */
export type Target = 'api' | 'gate' | 'db' | 'cache' | 'web' | 'spare';

export interface DashboardMend extends RunningMend {
  targets: Record<Target, FlakyServer>;
}

/** What the `restart` runbook prints: a test looks for it, as text, on the incident's page. */
export const HOSTILE_LINE = '<script>window.__mendInjected = true</script> restarted';

const service = (name: string, env: string, url: string, dependsOn = '') => `apiVersion: mend/v1
kind: Service
metadata: { name: ${name}, labels: { env: ${env} } }
spec:
${dependsOn === '' ? '' : `  dependsOn: [${dependsOn}]\n`}  checks:
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
  const others = ['gate', 'db', 'cache', 'web', 'spare'] as const;
  const started = await Promise.all(
    others.map(async (name) => [name, await startFlakyServer(200)] as const),
  );
  const servers = Object.fromEntries(started) as Record<(typeof others)[number], FlakyServer>;
  const closeAll = () => Promise.all(started.map(([, server]) => server.close()));
  const config = (apiUrl: string) =>
    [
      service('api', 'prod', apiUrl),
      service('gate', 'stage', servers.gate.url),
      service('db', 'prod', servers.db.url),
      service('cache', 'prod', servers.cache.url),
      service('web', 'prod', servers.web.url, 'cache'),
      service('spare', 'stage', servers.spare.url),
      policy('heal-api', 'api', 'restart', 5),
      policy('heal-gate', 'gate', 'restart', 5, '  requireApproval: { expiresAfter: 10m }\n'),
      policy('heal-db', 'db', 'broken', 1),
      policy('heal-cache', 'cache', 'restart', 5),
      policy('heal-web', 'web', 'restart', 5),
      policy('heal-spare', 'spare', 'restart', 5, '  shadow: true\n'),
      runbook('restart', `console.log(${JSON.stringify(HOSTILE_LINE)})`),
      runbook('broken', 'console.error("cannot restart db"); process.exit(3)'),
    ].join('---\n');
  let mend: RunningMend;
  try {
    mend = await startRunningMend({ config });
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    ...mend,
    targets: { api: mend.target, ...servers },
    async stop() {
      await mend.stop();
      await closeAll();
    },
  };
}
