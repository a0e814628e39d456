import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { GENERATED_FILES } from '../../src/cli/write-generated.ts';
import { buildJsonSchema, type JsonSchema } from '../../src/config/json-schema.ts';
import { REGENERATE_COMMAND, renderReferenceDoc } from '../../src/config/reference-doc.ts';
import { documentKinds } from '../../src/documents.ts';

const repoFile = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

for (const [path, render] of Object.entries(GENERATED_FILES)) {
  test(`${path} is up to date (regenerate: ${REGENERATE_COMMAND})`, async () => {
    assert.equal(
      await repoFile(path),
      await render(),
      `${path} is stale: run ${REGENERATE_COMMAND}`,
    );
  });
}

test('the JSON Schema has one strict branch per kind, chosen by kind', () => {
  const schema = buildJsonSchema(documentKinds);
  const branches = schema.oneOf as JsonSchema[];
  assert.equal(branches.length, documentKinds.length);
  for (const [i, kind] of documentKinds.entries()) {
    const branch = branches[i]!;
    const properties = branch.properties as Record<string, JsonSchema>;
    assert.equal(properties.kind?.const, kind.kind);
    assert.equal(properties.apiVersion?.const, 'mend/v1');
    assert.deepEqual(branch.required, ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.equal(branch.additionalProperties, false);
  }
});

/** Every field path in a JSON Schema, as the reference doc spells it. */
function fieldPaths(schema: JsonSchema, prefix: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const items = child.items as JsonSchema | undefined;
    return [
      path,
      ...fieldPaths(
        child.type === 'array' && items ? items : child,
        child.type === 'array' ? `${path}[]` : path,
      ),
    ];
  });
}

test('the reference doc has a row for every field of every kind', () => {
  const doc = renderReferenceDoc(documentKinds);
  const paths = (buildJsonSchema(documentKinds).oneOf as JsonSchema[]).flatMap((branch) =>
    fieldPaths(branch, ''),
  );
  assert.ok(paths.includes('spec.checks[].http.tls.insecureSkipVerify'));
  for (const path of paths) assert.ok(doc.includes(`| \`${path}\` `), `no row for ${path}`);
});
