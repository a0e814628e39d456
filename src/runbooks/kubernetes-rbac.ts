import type { Config } from '../config/config.ts';
import { rbacObjects, rbacYaml } from '../kubernetes/access/rbac-manifests.ts';
import { configAccess } from './kubernetes-access.ts';

export interface ConfigRbacOptions {
  serviceAccount: string;
  /** The ServiceAccount's namespace. */
  namespace: string;
  /** The kubeconfig context to print for, when the config acts through several. */
  context?: string | undefined;
}

export type ConfigRbac =
  | { yaml: string; unresolved: string[]; permissions: number }
  | { error: string };

const CURRENT = '(the current context)';

/**
 * `mend kubernetes rbac`: the Roles, ClusterRole and bindings that grant the ServiceAccount
 * exactly what the config's Kubernetes steps and watches need in one cluster (one kubeconfig
 * context), as YAML for `kubectl apply -f -`. Steps whose namespace a run's signal decides are
 * listed, not guessed.
 */
export function configRbac(
  config: Pick<Config, 'services' | 'policies' | 'runbooks'>,
  options: ConfigRbacOptions,
): ConfigRbac {
  const { permissions, unresolved } = configAccess(config);
  const contexts = [...new Set(permissions.map((p) => p.permission.context))];
  let chosen: string | undefined;
  if (options.context !== undefined) {
    if (!contexts.includes(options.context)) {
      return {
        error: `no Kubernetes step or watch of the config acts through context "${options.context}" (it uses: ${contexts.map((c) => c ?? CURRENT).join(', ') || 'none'})`,
      };
    }
    chosen = options.context;
  } else if (contexts.length > 1) {
    return {
      error: `the config acts through several kubeconfig contexts (${contexts.map((c) => c ?? CURRENT).join(', ')}), each its own cluster: give --context NAME to print one cluster's RBAC`,
    };
  } else {
    chosen = contexts[0];
  }
  const inputs = permissions
    .filter((p) => p.permission.context === chosen)
    .map(({ permission, by }) => ({ permission, by }));
  const name = `${options.serviceAccount}-healer`;
  const objects = rbacObjects(inputs, {
    serviceAccount: options.serviceAccount,
    namespace: options.namespace,
    name,
  });
  const notes = [
    `Least privilege for mend's ServiceAccount ${options.namespace}/${options.serviceAccount}${chosen === undefined ? '' : ` in context "${chosen}"`}: what the`,
    `config's Kubernetes steps and watches ask the API server, and nothing more (made by`,
    '`mend kubernetes rbac`; apply with `kubectl apply -f -`). Each rule says who needs it.',
    ...(unresolved.length > 0
      ? [
          '',
          'Not included: where these steps act is known only when they run (mend checks them then):',
          ...unresolved.map((u) => `  ${u}`),
        ]
      : []),
  ];
  return { yaml: rbacYaml(objects, notes), unresolved, permissions: inputs.length };
}
