import type { Config } from '../../src/config/config.ts';
import { configFromSpecs } from '../../src/documents.ts';

/**
 * The benchmark's world: N services in teams of 100, each depending on up to two services of its
 * team, and P policies of every kind, selecting teams by label, with `for`, `count`, `when`,
 * ladders, approvals, blast radius and concurrency limits, through the real schemas.
 */
export function benchConfig(serviceCount: number, policyCount: number): Config {
  const teams = Math.max(1, Math.ceil(serviceCount / 100));
  const services = Array.from({ length: serviceCount }, (_, i) => {
    const team = Math.floor(i / 100);
    const first = team * 100;
    const dependsOn = [i - 1, i - 7]
      .filter((j) => j >= first && j < i && (i + j) % 3 === 0)
      .map((j) => `svc-${j}`);
    return {
      name: `svc-${i}`,
      labels: { team: `t${team}`, tier: ['web', 'api', 'data'][i % 3]! },
      selector: [],
      events: [],
      dependsOn,
      checks: [],
      source: { file: 'bench', line: 0, col: 0 },
    };
  });
  const documents: Spec[] = [];
  for (let p = 0; p < policyCount; p++) {
    documents.push(policyDocument(p, teams));
  }
  documents.push(document('Settings', 'settings', { maxConcurrent: 500 }));
  return { ...configFromSpecs(documents), services };
}

function policyDocument(p: number, teams: number): Spec {
  // Each policy selects a slice of the teams (and so 2% of the services, give or take).
  const team = `t${p % teams}|t${(p + 25) % teams}`;
  const base = {
    priority: p % 5,
    match: {
      services: { matchers: [`team=~"${team}"`] },
      ...(p % 4 === 0 ? { matchers: ['check=~"live|disk"'] } : {}),
    },
    for: `${(p % 4) * 10}s`,
    escalate: { notifiers: ['oncall'] },
    maxAttempts: 3,
    window: '1h',
    cooldown: '30s',
    ...(p % 3 === 0 ? { maxUnhealthy: '20%' } : {}),
    ...(p % 5 === 0 ? { maxConcurrent: 5 } : {}),
    ...(p % 7 === 0 ? { backoff: { max: '10m' } } : {}),
    ...(p % 6 === 0 ? { when: 'signal.labels[?"env"].orValue("prod") == "prod"' } : {}),
    ...(p % 9 === 0 ? { count: { atLeast: 2, within: '10m' } } : {}),
  };
  const action =
    p % 10 === 9
      ? { observe: true }
      : p % 10 === 8
        ? { page: { notifiers: ['oncall'] } }
        : p % 10 === 7
          ? {
              ladder: [
                { runbook: 'restart', params: { unit: '{{service.name}}' }, deadline: '2m' },
                { runbook: 'failover', deadline: '5m' },
              ],
            }
          : { heal: { runbook: 'restart', params: { unit: '{{service.name}}' } } };
  const approval = p % 10 === 6 ? { requireApproval: { expiresAfter: '5m' } } : {};
  return document('Policy', `policy-${p}`, { ...base, ...action, ...approval });
}

type Spec = { kind: string; name: string; spec: unknown };

function document(kind: string, name: string, spec: unknown): Spec {
  return { kind, name, spec };
}
