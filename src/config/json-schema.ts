import { z } from 'zod';
import { probeKinds } from '../signals/probes/registry.ts';
import { formatJson } from './format-json.ts';
import { documentKinds, documentSchema } from './kinds/registry.ts';
import { checkSpec } from './kinds/service.ts';

export type JsonSchema = Record<string, unknown>;

/** The zod schema of any mend document: one branch per kind, chosen by `kind`. */
export function anyDocumentSchema() {
  const [first, ...rest] = documentKinds.map(documentSchema);
  return z.discriminatedUnion('kind', [first!, ...rest]);
}

/**
 * The JSON Schema of one mend document (editors apply it to each `---` document), built from
 * the same zod schemas that validate, so the two cannot disagree. Input side: fields with
 * defaults are optional, as the user writes them.
 */
export function buildJsonSchema(): JsonSchema {
  const schema = toJsonSchema(anyDocumentSchema());
  return {
    $schema: schema.$schema,
    title: 'mend configuration document',
    description:
      'One document of a mend config file (apiVersion mend/v1). A file may hold several, separated by ---.',
    ...schema,
  };
}

/** The input side of a zod schema as JSON Schema, with what zod alone cannot express added. */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      // The check's "exactly one probe" is a zod refinement, invisible to toJSONSchema.
      if (ctx.zodSchema === checkSpec) {
        ctx.jsonSchema.oneOf = probeKinds.map((kind) => ({ required: [kind.name] }));
      }
    },
  });
}

/** The file as committed: stable key order, two-space indent, final newline. */
export function renderJsonSchema(): string {
  return formatJson(buildJsonSchema());
}
