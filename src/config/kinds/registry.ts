import { z } from 'zod';
import type { DocumentKind } from './document-kind.ts';
import { API_VERSION } from './document-kind.ts';
import { metadataSchema } from './metadata.ts';

const apiVersion = () =>
  z
    .literal(API_VERSION)
    .describe(`The version of mend's config format; always \`${API_VERSION}\`.`);

function buildDocumentSchema(kind: DocumentKind) {
  return z
    .strictObject({
      apiVersion: apiVersion(),
      kind: z.literal(kind.kind).describe('Selects the schema of `spec`.'),
      metadata: metadataSchema,
      spec: kind.spec.describe(`What the ${kind.kind} is and how mend treats it.`),
    })
    .describe(kind.summary);
}

export type DocumentSchema = ReturnType<typeof buildDocumentSchema>;

const documentSchemas = new WeakMap<DocumentKind, DocumentSchema>();

/** The whole document schema of one kind: the shared envelope around the kind's spec. */
export function documentSchema(kind: DocumentKind): DocumentSchema {
  let schema = documentSchemas.get(kind);
  if (schema === undefined) {
    schema = buildDocumentSchema(kind);
    documentSchemas.set(kind, schema);
  }
  return schema;
}

const envelopes = new WeakMap<readonly DocumentKind[], z.ZodType>();

/**
 * For a document whose kind mend does not know: still check the envelope, so one pass reports a
 * wrong apiVersion, the unknown kind (with the known ones listed) and bad metadata together.
 */
export function envelopeSchema(kinds: readonly DocumentKind[]): z.ZodType {
  let schema = envelopes.get(kinds);
  if (schema === undefined) {
    const names = kinds.map((known) => known.kind) as [string, ...string[]];
    schema = z.strictObject({
      apiVersion: apiVersion(),
      kind: z.enum(names, { error: `expected one of the kinds ${names.join(', ')}` }),
      metadata: metadataSchema,
      spec: z.record(z.string(), z.unknown()),
    });
    envelopes.set(kinds, schema);
  }
  return schema;
}

export function findDocumentKind(
  kinds: readonly DocumentKind[],
  kind: unknown,
): DocumentKind | undefined {
  return kinds.find((known) => known.kind === kind);
}
