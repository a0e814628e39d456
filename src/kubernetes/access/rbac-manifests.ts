import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { type KubePermission, resourceText } from './permission.ts';

/** One permission and who needs it: what a rule is made from and what its comment says. */
export interface RbacInput {
  permission: KubePermission;
  by: readonly string[];
}

export interface RbacOptions {
  /** The ServiceAccount mend runs as, and its namespace. */
  serviceAccount: string;
  namespace: string;
  /** The Roles', ClusterRole's and bindings' name. */
  name: string;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** One object to print, with the comments its rules carry (who needs each). */
export interface RbacObject {
  object: Record<string, unknown>;
  ruleComments: string[];
}

/** The order kubectl and the docs list verbs in. */
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const verbRank = (v: string) => {
  const i = VERB_ORDER.indexOf(v);
  return i < 0 ? VERB_ORDER.length : i;
};

/**
 * The least RBAC that grants exactly these permissions: a Role and a RoleBinding in each
 * namespace a permission names, and one ClusterRole and ClusterRoleBinding for those at the
 * cluster scope (nodes; pods across namespaces for drain); one rule per API group and resource
 * (with its subresource), its verbs in kubectl's order. No wildcards, no resourceNames (a list
 * or watch cannot be narrowed by name), nothing else. Context is the caller's: one cluster.
 */
export function rbacObjects(inputs: readonly RbacInput[], options: RbacOptions): RbacObject[] {
  const scopes = new Map<string, RbacInput[]>();
  for (const input of inputs) {
    const scope = input.permission.namespace ?? '';
    scopes.set(scope, [...(scopes.get(scope) ?? []), input]);
  }
  const subject = {
    kind: 'ServiceAccount',
    name: options.serviceAccount,
    namespace: options.namespace,
  };
  const out: RbacObject[] = [];
  // The namespaced Roles first (what most configs need, read first), the cluster scope last.
  const order = [...scopes.keys()].sort((a, b) =>
    a === '' ? 1 : b === '' ? -1 : a.localeCompare(b),
  );
  for (const scope of order) {
    const { rules, comments } = rulesOf(scopes.get(scope)!);
    const cluster = scope === '';
    const metadata = cluster ? { name: options.name } : { name: options.name, namespace: scope };
    out.push({
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: cluster ? 'ClusterRole' : 'Role',
        metadata,
        rules,
      },
      ruleComments: comments,
    });
    out.push({
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: cluster ? 'ClusterRoleBinding' : 'RoleBinding',
        metadata,
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: cluster ? 'ClusterRole' : 'Role',
          name: options.name,
        },
        subjects: [subject],
      },
      ruleComments: [],
    });
  }
  return out;
}

function rulesOf(inputs: readonly RbacInput[]): { rules: Rule[]; comments: string[] } {
  const byResource = new Map<
    string,
    { group: string; resource: string; verbs: Set<string>; by: Set<string> }
  >();
  for (const { permission: p, by } of inputs) {
    const resource = resourceText(p);
    const key = `${p.group}\u0000${resource}`;
    const entry = byResource.get(key) ?? {
      group: p.group,
      resource,
      verbs: new Set(),
      by: new Set(),
    };
    entry.verbs.add(p.verb);
    for (const who of by) entry.by.add(who);
    byResource.set(key, entry);
  }
  const entries = [...byResource.values()].sort((a, b) =>
    a.group === b.group ? a.resource.localeCompare(b.resource) : a.group.localeCompare(b.group),
  );
  return {
    rules: entries.map((e) => ({
      apiGroups: [e.group],
      resources: [e.resource],
      verbs: [...e.verbs].sort((a, b) => verbRank(a) - verbRank(b) || a.localeCompare(b)),
    })),
    comments: entries.map((e) => commentOf([...e.by])),
  };
}

/**
 * Who needs a rule, a line per runbook and service with its steps' names (`who: section[i]
 * step`, as configAccess words it), at most five lines.
 */
function commentOf(by: string[]): string {
  const steps = new Map<string, string[]>();
  for (const who of by) {
    const cut = who.indexOf(': ');
    const [head, step] = cut < 0 ? [who, ''] : [who.slice(0, cut), who.slice(cut + 2)];
    const names = steps.get(head) ?? [];
    const name = step.replace(/^\w+\[\d+\] /, '');
    if (name && !names.includes(name)) names.push(name);
    steps.set(head, names);
  }
  const lines = [...steps].map(
    ([head, names]) => ` ${head}${names.length ? `: ${names.join(', ')}` : ''}`,
  );
  return lines.length > 5
    ? [...lines.slice(0, 4), ` and ${lines.length - 4} more`].join('\n')
    : lines.join('\n');
}

/**
 * The objects as one YAML stream for `kubectl apply -f -`, each rule with a comment saying who
 * needs it, after a header of `notes` (comment lines).
 */
export function rbacYaml(objects: readonly RbacObject[], notes: readonly string[]): string {
  const header = notes.map((n) => `# ${n}`.trimEnd()).join('\n');
  const docs = objects.map(({ object, ruleComments }) => {
    const doc = new Document(object);
    const rules = isMap(doc.contents) ? (doc.contents as YAMLMap).get('rules', true) : undefined;
    if (isSeq(rules)) {
      rules.items.forEach((item, i) => {
        const comment = ruleComments[i];
        if (!isMap(item)) return;
        if (comment) item.commentBefore = comment;
        // `verbs: [get, list]`: one rule to a line or three, as people write Roles.
        for (const pair of item.items) if (isSeq(pair.value)) pair.value.flow = true;
      });
    }
    return doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
  });
  return `${header ? `${header}\n` : ''}${docs.map((d) => `---\n${d}`).join('')}`;
}
