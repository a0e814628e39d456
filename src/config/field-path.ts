const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** A zod / YAML path as users read it: `spec.checks[0].http.url`, `metadata.labels["app/x"]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
