import type { Config, RunbookConfig, RunbookStepConfig, ServiceConfig } from '../config/config.ts';
import { serviceSelector } from '../config/kinds/policy-services.ts';
import type { ParamValue } from '../config/template.ts';
import { type KubePermission, permissionKey, placeNeeds } from '../kubernetes/access/permission.ts';
import { watchPermissions } from '../kubernetes/watch/permissions.ts';
import type { Section } from './journal.ts';
import type { PreparedStep } from './preflight.ts';
import { renderText } from './render.ts';
import { findStepKind } from './steps/registry.ts';
import { Refusal, type TemplateValues } from './template-values.ts';

/** A permission and who needs it (`runbook R step S on service X`, `watch of service X`). */
export interface NeededPermission {
  permission: KubePermission;
  by: string[];
}

/** Everything a config needs of Kubernetes, and the steps whose place only a run can tell. */
export interface ConfigAccess {
  permissions: NeededPermission[];
  /** Steps whose namespace or context is a template of the run (a signal's label): not computed. */
  unresolved: string[];
}

/** What a source other than runbooks needs for a service: the watch of its workload. */
export type ServiceAccessSource = (service: ServiceConfig) => readonly KubePermission[];

/** The watch source's needs (src/kubernetes/watch/permissions.ts), through the service's context. */
const watchAccess: ServiceAccessSource = (service) => {
  const context = service.kubernetes?.context;
  return watchPermissions(service.kubernetes).map((p) => ({
    ...p,
    ...(context !== undefined ? { context } : {}),
  }));
};

/** Every source of Kubernetes needs besides runbooks, named as the Roles' comments say it. */
export const serviceAccessSources: readonly { name: string; needs: ServiceAccessSource }[] = [
  { name: 'watch', needs: watchAccess },
];

/**
 * What the config's Kubernetes steps and watches need: each runbook a heal policy runs, on each
 * service the policy selects (a runbook no policy runs: on each service with a `kubernetes`
 * target, as `mend runbook run --service` would), and each service's watch.
 */
export function configAccess(
  config: Pick<Config, 'services' | 'policies' | 'runbooks'> & Partial<Pick<Config, 'settings'>>,
): ConfigAccess {
  const needed = new Map<string, NeededPermission>();
  const unresolved: string[] = [];
  const add = (permission: KubePermission, by: string) => {
    const key = permissionKey(permission);
    const entry = needed.get(key) ?? { permission, by: [] };
    if (!entry.by.includes(by)) entry.by.push(by);
    needed.set(key, entry);
  };
  const pairs = new Map<
    string,
    { runbook: RunbookConfig; service: ServiceConfig; params: Record<string, ParamValue> }
  >();
  const used = new Set<string>();
  for (const policy of config.policies) {
    if (policy.action.kind !== 'heal') continue;
    const selects = serviceSelector(policy.match.services);
    for (const rung of policy.action.rungs) {
      const runbook = config.runbooks.find((r) => r.name === rung.runbook);
      if (!runbook) continue;
      used.add(runbook.name);
      for (const service of config.services.filter(selects)) {
        pairs.set(`${runbook.name}\u0000${service.name}`, {
          runbook,
          service,
          params: literalParams(rung.params),
        });
      }
    }
  }
  for (const runbook of config.runbooks) {
    if (used.has(runbook.name)) continue;
    for (const service of config.services.filter((s) => s.kubernetes !== undefined)) {
      pairs.set(`${runbook.name}\u0000${service.name}`, { runbook, service, params: {} });
    }
  }
  for (const { runbook, service, params } of pairs.values()) {
    const access = runbookAccess(runbook, service, params);
    for (const { permission, step } of access.permissions) {
      add(permission, `runbook ${runbook.name} on service ${service.name}: ${step}`);
    }
    unresolved.push(...access.unresolved);
  }
  for (const service of config.services) {
    for (const source of serviceAccessSources) {
      for (const permission of source.needs(service))
        add(permission, `${source.name} of service ${service.name}`);
    }
  }
  // Replicas electing by a Kubernetes Lease (docs/replicas.md) read, create and renew it.
  const lease = config.settings?.replicas?.kubernetesLease;
  if (lease !== undefined) {
    for (const verb of ['get', 'create', 'update']) {
      add(
        {
          verb,
          group: 'coordination.k8s.io',
          resource: 'leases',
          namespace: lease.namespace,
          ...(lease.context !== undefined ? { context: lease.context } : {}),
        },
        `the replicas' leader election (Lease ${lease.namespace}/${lease.name})`,
      );
    }
  }
  return { permissions: [...needed.values()], unresolved };
}

/** A runbook's Kubernetes permissions on one service, known before any run (no signal yet). */
export function runbookAccess(
  runbook: RunbookConfig,
  service: ServiceConfig,
  params: Record<string, ParamValue> = {},
): { permissions: { permission: KubePermission; step: string }[]; unresolved: string[] } {
  const values: TemplateValues = {
    params: { ...defaults(runbook), ...params },
    dashParams: new Set(),
    service: {
      name: service.name,
      labels: service.labels,
      ...(service.kubernetes ? { kubernetes: service.kubernetes } : {}),
    },
    runId: 'rbac',
  };
  const permissions: { permission: KubePermission; step: string }[] = [];
  const unresolved: string[] = [];
  for (const [section, step, index] of stepsOf(runbook)) {
    const needs = findStepKind(step.kind)?.kubernetes?.needs(step.spec);
    if (!needs || needs.length === 0) continue;
    const name = `${section}[${index}] ${step.name}`;
    const spec = step.spec as { namespace?: string; context?: string };
    try {
      const namespace =
        spec.namespace === undefined
          ? service.kubernetes?.namespace
          : renderText(spec.namespace, values, 'namespace');
      const context =
        spec.context === undefined
          ? service.kubernetes?.context
          : renderText(spec.context, values, 'context');
      // Neither the step nor the service says where: such a run is refused when it prepares
      // (src/runbooks/steps/kubernetes/kube-step.ts), so it needs nothing.
      if (namespace === undefined && needs.some((n) => n.scope === 'namespace')) continue;
      for (const permission of placeNeeds(needs, { namespace, context }))
        permissions.push({ permission, step: name });
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      unresolved.push(`runbook ${runbook.name} ${name} on service ${service.name}: ${err.message}`);
    }
  }
  return { permissions, unresolved };
}

/**
 * The permissions of a run's prepared steps, where they will really act (templates rendered):
 * the preflight's question, per section. A step refused in preparation needs nothing: it is
 * refused for that already.
 */
export function preparedAccess(
  steps: readonly PreparedStep[],
): { section: Section; step: string; permission: KubePermission }[] {
  const out: { section: Section; step: string; permission: KubePermission }[] = [];
  for (const step of steps) {
    if (!('prepared' in step)) continue;
    const needs = findStepKind(step.step.kind)?.kubernetes?.needs(step.step.spec);
    if (!needs || needs.length === 0) continue;
    const where = step.prepared as { namespace?: string; context?: string };
    for (const permission of placeNeeds(needs, {
      namespace: where.namespace,
      context: where.context,
    })) {
      out.push({
        section: step.section,
        step: `${step.section}[${step.index}] ${step.step.name}`,
        permission,
      });
    }
  }
  return out;
}

function* stepsOf(runbook: RunbookConfig): Generator<[Section, RunbookStepConfig, number]> {
  for (const [i, step] of runbook.evidence.entries()) yield ['evidence', step, i];
  for (const [i, step] of runbook.steps.entries()) yield ['steps', step, i];
  for (const [i, step] of runbook.onFailure.entries()) yield ['onFailure', step, i];
}

/** A rung's params that are values already (a template of the signal is known only at run time). */
function literalParams(params: Record<string, unknown>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' && value.includes('{{')) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[name] = value as ParamValue;
  }
  return out;
}

function defaults(runbook: RunbookConfig): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(runbook.params)) {
    const value = (spec as { default?: unknown }).default;
    if (value !== undefined && value !== null) out[name] = value as ParamValue;
  }
  return out;
}
