import { fileURLToPath } from 'node:url';
import { loadMendConfig } from '../documents.ts';
import { configRbac } from '../runbooks/kubernetes-rbac.ts';

/** The example config of deploy/kubernetes, which its rbac.yaml is made for. */
export const DEPLOY_CONFIG = fileURLToPath(
  new URL('../../deploy/kubernetes/config', import.meta.url),
);

/**
 * deploy/kubernetes/rbac.yaml: `mend kubernetes rbac` of the example config, for the
 * ServiceAccount mend/mend of serviceaccount.yaml. Generated (src/cli/write-generated.ts) and
 * checked, so the manifests cannot drift from what mend computes.
 */
export async function renderDeployRbac(): Promise<string> {
  const loaded = await loadMendConfig([DEPLOY_CONFIG]);
  if (!loaded.config)
    throw new Error(`${DEPLOY_CONFIG} does not load: ${loaded.errors[0]?.message}`);
  const rbac = configRbac(loaded.config, { serviceAccount: 'mend', namespace: 'mend' });
  if ('error' in rbac) throw new Error(`${DEPLOY_CONFIG}: ${rbac.error}`);
  return `# Generated from config/mend.yaml: \`npx node src/cli/write-generated.ts\` (the same as
# \`mend kubernetes rbac -c deploy/kubernetes/config\`); test/config/generated.test.ts checks it.
${rbac.yaml}`;
}
