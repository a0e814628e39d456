import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/config.ts';
import { loadMendConfig } from '../../src/documents.ts';
import type { Signal } from '../../src/signals/signal.ts';
import { fingerprint } from '../../src/signals/signal.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { type StoreLocation, storeLocation } from '../helpers/test-store.ts';

export const SERVICES = `apiVersion: mend/v1
kind: Service
metadata: { name: db }
spec:
  checks: [{ name: up, tcp: { port: 5432 } }]
---
apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  dependsOn: [db]
  checks: [{ name: live, tcp: { port: 8080 } }]
`;

export function policy(extra = ''): string {
  return `apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 0s
  heal: { runbook: restart, params: { unit: "{{service.name}}" } }
  escalate: { notifiers: [oncall] }
  maxAttempts: 2
  window: 1h
  cooldown: 0s
${extra}`;
}

export interface Workspace {
  dir: string;
  config(policyYaml: string): Promise<Config>;
  store(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-decisions-'));
  let location: StoreLocation | undefined;
  let n = 0;
  return {
    dir,
    async config(policyYaml) {
      const file = join(dir, `config-${n++}.yaml`);
      await writeFile(file, `${SERVICES}---\n${policyYaml}`);
      const loaded = await loadMendConfig([file]);
      if (!loaded.config) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
      return loaded.config;
    },
    async store() {
      // One location per workspace: a second store() is the same store reopened.
      location ??= await storeLocation(dir);
      return openStore({ path: location.path });
    },
    async cleanup() {
      await location?.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function signal(
  service: string,
  check: string,
  status: Signal['status'],
  at: number,
): Signal {
  const identity = { source: 'probe', service, check };
  return {
    fingerprint: fingerprint(identity),
    source: 'probe',
    service,
    check,
    labels: { ...identity, role: 'liveness' },
    status,
    startsAt: at - 3000,
    at,
    summary: status === 'firing' ? '3 consecutive failures: connect ECONNREFUSED' : 'recovered',
    evidence: [
      {
        ok: status !== 'firing',
        startedAt: at - 10,
        durationMs: 1,
        ...(status === 'firing' ? { error: 'connect ECONNREFUSED', output: 'x'.repeat(100) } : {}),
      },
    ],
  };
}
