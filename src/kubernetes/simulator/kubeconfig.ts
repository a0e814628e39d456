import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  /** The CA to trust; without it (plain http) none is written. */
  caPem?: string;
  token: string;
  user: string;
  namespace?: string;
  contextName?: string;
}

/** A kubeconfig for one user of the simulated cluster, as kubectl and client libraries read it. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const name = input.contextName ?? 'mend-simulator';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: input.server,
          ...(input.caPem
            ? { 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') }
            : {}),
        },
      },
    ],
    users: [{ name: input.user, user: { token: input.token } }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: input.user,
          ...(input.namespace ? { namespace: input.namespace } : {}),
        },
      },
    ],
    'current-context': name,
    preferences: {},
  });
}
