import type { Config } from './config/config.ts';
import { probeOf } from './signals/probes/registry.ts';
import { isPostgresUrl } from './store/postgres-url.ts';

/** The one-screen summary `mend run` starts with: what it watches, where it keeps records. */
export function startupSummary(input: {
  config: Config;
  db: string;
  listen: string;
  workers: number;
  /** One of several replicas: its id, whether it leads, and how many checks it probes. */
  replica?: { id: string; epoch: number | undefined; checks: number };
}): string {
  const { config } = input;
  const kinds = new Map<string, number>();
  for (const service of config.services) {
    for (const check of service.checks) {
      const kind = probeOf(check).kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  const checks = [...kinds.values()].reduce((a, b) => a + b, 0);
  const byKind = [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'none';
  const services = config.services.map((s) => {
    const deps = s.dependsOn.length ? ` (depends on ${s.dependsOn.join(', ')})` : '';
    const k = s.kubernetes;
    const watched =
      k?.watch === undefined
        ? ''
        : `; watches ${k.namespace}/${
            k.name !== undefined
              ? `deployment/${k.name}`
              : `deployments ${Object.entries(k.selector ?? {})
                  .map(([key, v]) => `${key}=${v}`)
                  .join(',')}`
          }, its pods and nodes`;
    return `    ${s.name}: ${s.checks.map((c) => c.name).join(', ') || 'no checks'}${watched}${deps}`;
  });
  const shown =
    services.length > 12
      ? [...services.slice(0, 12), `    ... and ${services.length - 12} more`]
      : services;
  const deciding = config.policies.length
    ? `${config.policies.length} ${config.policies.length === 1 ? 'policy' : 'policies'}: ${config.policies.map((p) => p.name).join(', ')}`
    : 'no policies: every incident is recorded only';
  return [
    `mend running: ${config.services.length} services, ${checks} checks (${byKind})`,
    ...shown,
    `  decide:  ${deciding}`,
    `  config:  ${config.files.join(', ')}`,
    `  store:   ${input.db} (${isPostgresUrl(input.db) ? 'PostgreSQL' : 'SQLite'})`,
    `  listen:  ${input.listen} (/healthz /readyz /metrics)`,
    `  probing: ${input.workers === 0 ? 'main thread' : `${input.workers} worker thread${input.workers === 1 ? '' : 's'}`}`,
    ...(input.replica === undefined
      ? []
      : [
          `  replica: ${input.replica.id}, ${input.replica.epoch === undefined ? 'follower' : `leader (epoch ${input.replica.epoch})`}, probes ${input.replica.checks} of ${checks} checks (mend status shows the others)`,
        ]),
    '  SIGHUP reloads the config; Ctrl-C stops.',
  ].join('\n');
}
