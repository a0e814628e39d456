import { z } from 'zod';
import { formatJson } from './format-json.ts';
import type { DocumentKind } from './kinds/document-kind.ts';
import { documentSchema } from './kinds/registry.ts';

export type JsonSchema = Record<string, unknown>;

/** The zod schema of any mend document: one branch per kind, chosen by `kind`. */
export function anyDocumentSchema(kinds: readonly DocumentKind[]) {
  const [first, ...rest] = kinds.map(documentSchema);
  return z.discriminatedUnion('kind', [first!, ...rest]);
}

/**
 * The JSON Schema of one mend document (editors apply it to each `---` document), built from
 * the same zod schemas that validate, so the two cannot disagree. Input side: fields with
 * defaults are optional, as the user writes them.
 */
export function buildJsonSchema(kinds: readonly DocumentKind[]): JsonSchema {
  const schema = toJsonSchema(anyDocumentSchema(kinds));
  return {
    $schema: schema.$schema,
    title: 'mend configuration document',
    description:
      'One document of a mend config file (apiVersion mend/v1). A file may hold several, separated by ---.',
    ...schema,
  };
}

/** The input side of a zod schema as JSON Schema (refinements add theirs with `.meta`). */
export function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
}

/** The file as committed: stable key order, two-space indent, final newline. */
export function renderJsonSchema(kinds: readonly DocumentKind[]): string {
  return formatJson(buildJsonSchema(kinds));
}
