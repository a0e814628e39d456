import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';

/** Where a pod's service account token is mounted (in-cluster config). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * @kubernetes/client-node, imported on the first Kubernetes step: it is heavy (undici, ws,
 * openid-client, ...), and a mend without Kubernetes steps never pays for it.
 */
let loading: Promise<typeof import('@kubernetes/client-node')> | undefined;
export function clientNode(): Promise<typeof import('@kubernetes/client-node')> {
  loading ??= import('@kubernetes/client-node');
  return loading;
}

export interface ConfigSources {
  env: NodeJS.ProcessEnv;
  home: string;
  /** Prefix of the in-cluster files (tests); '' in a pod. */
  inClusterPrefix: string;
}

const defaultSources = (): ConfigSources => ({
  env: process.env,
  home: homedir(),
  inClusterPrefix: '',
});

/**
 * The kubeconfig from the usual places, as kubectl finds it: `$KUBECONFIG` (files merged),
 * else `~/.kube/config`, else the pod's service account (in-cluster). Unlike client-node's
 * loadFromDefault, finding none is an error rather than a silent `http://localhost:8080`.
 * `context` selects a context (a Service's `kubernetes.context`); without it, the current one.
 */
export async function loadKubeConfig(
  context: string | undefined,
  sources: ConfigSources = defaultSources(),
): Promise<KubeConfig> {
  const { KubeConfig } = await clientNode();
  const kc = new KubeConfig();
  const files = (sources.env.KUBECONFIG ?? '').split(':').filter((f) => f !== '');
  const homeConfig = join(sources.home, '.kube', 'config');
  const tokenFile = `${sources.inClusterPrefix}${SERVICE_ACCOUNT_DIR}/token`;
  if (files.length > 0) {
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length === files.length) {
      throw new Error(
        `KUBECONFIG names ${files.join(', ')}, and none exists: fix KUBECONFIG or unset it`,
      );
    }
    const [first, ...rest] = files.filter((f) => existsSync(f));
    kc.loadFromFile(first!);
    for (const file of rest) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more);
    }
  } else if (existsSync(homeConfig)) {
    kc.loadFromFile(homeConfig);
  } else if (existsSync(tokenFile)) {
    if (!sources.env.KUBERNETES_SERVICE_HOST) {
      throw new Error(
        `${tokenFile} exists but KUBERNETES_SERVICE_HOST is not set: not in a pod? set KUBECONFIG`,
      );
    }
    kc.loadFromCluster(sources.inClusterPrefix);
  } else {
    throw new Error(
      `no Kubernetes config: set KUBECONFIG, write ${homeConfig}, or run mend in a pod with a service account`,
    );
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(
        `no context ${JSON.stringify(context)} in the Kubernetes config (it has ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(
      'the Kubernetes config has no current context with a cluster: set current-context or the Service’s kubernetes.context',
    );
  }
  return kc;
}

/** The namespace of the kubeconfig's context, or of the pod (in-cluster), if it says one. */
export function contextNamespace(kc: KubeConfig): string | undefined {
  const ctx = kc.getContextObject(kc.getCurrentContext());
  return ctx?.namespace || undefined;
}
