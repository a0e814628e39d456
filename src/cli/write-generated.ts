import { writeFile } from 'node:fs/promises';
import { renderOpenApi } from '../api/v1/openapi-document.ts';
import { renderJsonSchema } from '../config/json-schema.ts';
import { renderReferenceDoc } from '../config/reference-doc.ts';
import { documentKinds } from '../documents.ts';
import { renderTestJsonSchema } from '../policy-test/schema.ts';
import { renderDeployRbac } from './deploy-rbac.ts';

/** The files generated from the schemas, relative to the repository root. */
export const GENERATED_FILES: Record<string, () => string | Promise<string>> = {
  'schema/mend.schema.json': () => renderJsonSchema(documentKinds),
  'docs/config-reference.md': () => renderReferenceDoc(documentKinds),
  'schema/mend-test.schema.json': renderTestJsonSchema,
  'schema/openapi.json': renderOpenApi,
  'deploy/kubernetes/rbac.yaml': renderDeployRbac,
};

// Run from the repository root: `npx node src/cli/write-generated.ts`. Tests check that the
// committed files equal this output, so a schema change without regenerating fails CI.
if (import.meta.main) {
  for (const [file, render] of Object.entries(GENERATED_FILES)) {
    await writeFile(new URL(`../../${file}`, import.meta.url), await render());
    process.stdout.write(`wrote ${file}\n`);
  }
}
