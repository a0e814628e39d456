import type { z } from 'zod';
import { ConfigError, type SourcePosition } from './config-error.ts';
import { describeValue } from './describe-value.ts';
import { formatFieldPath } from './field-path.ts';
import { type Lookup, reportIssue } from './issue-message.ts';
import type { DocumentKind } from './kinds/document-kind.ts';
import type { Metadata } from './kinds/metadata.ts';
import { documentSchema, envelopeSchema, findDocumentKind } from './kinds/registry.ts';
import { locate } from './yaml/locate.ts';
import type { SourceDocument } from './yaml/source-document.ts';

/** A document that passed its kind's schema, with defaults applied. */
export interface ValidDocument {
  kind: string;
  metadata: Metadata;
  spec: unknown;
  source: SourceDocument;
  position: SourcePosition;
}

export interface DocumentResult {
  document?: ValidDocument;
  errors: ConfigError[];
}

const schemas = new Map<DocumentKind | undefined, z.ZodType>();

function schemaFor(kind: DocumentKind | undefined): z.ZodType {
  let schema = schemas.get(kind);
  if (schema === undefined) {
    schema = kind ? documentSchema(kind) : envelopeSchema();
    schemas.set(kind, schema);
  }
  return schema;
}

/** Check one YAML document against the schema of its kind. */
export function validateDocument(source: SourceDocument): DocumentResult {
  const data = source.data;
  const position = locate(source, []);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const message = `expected a mapping with apiVersion, kind, metadata and spec, found ${describeValue(data)}`;
    return { errors: [new ConfigError(position, '', message)] };
  }
  const kind = findDocumentKind((data as Record<string, unknown>).kind);
  const schema = schemaFor(kind);
  const result = schema.safeParse(data);
  if (!result.success) {
    const lookup: Lookup = (path) => valueAt(data, path);
    const errors = result.error.issues.flatMap((issue) =>
      reportIssue(issue, schema, lookup).map(
        (report) =>
          new ConfigError(
            locate(source, report.path, report.at),
            formatFieldPath(report.path),
            report.message,
          ),
      ),
    );
    return { errors };
  }
  const { metadata, spec } = result.data as { metadata: Metadata; spec: unknown };
  return { document: { kind: kind!.kind, metadata, spec, source, position }, errors: [] };
}

/** The value at `path` in parsed data, and whether it is there at all (for issue messages). */
export function valueAt(
  data: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value: unknown } {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) {
      return { present: false, value: undefined };
    }
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return { present: true, value };
}
