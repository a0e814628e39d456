import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runMend } from '../helpers/mend-process.ts';

const CONFIG = [
  'examples/kubernetes/demo/',
  'examples/runbooks/kubernetes-rollout-restart.yaml',
  'examples/runbooks/kubernetes-rollout-undo.yaml',
  'examples/runbooks/kubernetes-drain-node.yaml',
  'examples/runbooks/kubernetes-delete-pod.yaml',
];

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface RbacObject {
  kind: string;
  metadata: { namespace?: string };
  rules?: Rule[];
}

/** Every grant of Roles and ClusterRoles as `SCOPE GROUP/RESOURCE VERB` lines, sorted. */
function grants(objects: RbacObject[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'Role' && o.kind !== 'ClusterRole') continue;
    const scope = o.kind === 'Role' ? o.metadata.namespace : 'cluster';
    for (const r of o.rules ?? [])
      for (const g of r.apiGroups)
        for (const res of r.resources)
          for (const v of r.verbs) out.add(`${scope} ${g}/${res} ${v}`);
  }
  return [...out].sort();
}

test("the demo's ServiceAccount has what mend kubernetes rbac computes for the demo's config, less delete on pods", async () => {
  const computed = await runMend(['kubernetes', 'rbac', ...CONFIG.flatMap((c) => ['-c', c])]);
  assert.equal(computed.code, 0, computed.stderr);
  const wanted = grants(parseAllDocuments(computed.stdout).map((d) => d.toJS() as RbacObject));
  const scenario = parseAllDocuments(
    await readFile('examples/kubernetes/simulator/demo.yaml', 'utf8'),
  )[0]!.toJS() as { spec: { objects: RbacObject[] } };
  const granted = grants(scenario.spec.objects);
  assert.ok(wanted.includes('shop /pods delete'), 'the config needs delete on pods');
  assert.deepEqual(
    granted,
    wanted.filter((g) => g !== 'shop /pods delete'),
  );
});
