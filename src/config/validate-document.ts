import { ConfigError } from './config-error.ts';
import { describeValue } from './describe-value.ts';
import { formatFieldPath } from './field-path.ts';
import { type Lookup, reportIssue } from './issue-message.ts';
import type { DocumentKind } from './kinds/document-kind.ts';
import type { Metadata } from './kinds/metadata.ts';
import { documentSchema, envelopeSchema, findDocumentKind } from './kinds/registry.ts';
import type { ValidDocument } from './valid-document.ts';
import { locate } from './yaml/locate.ts';
import type { SourceDocument } from './yaml/source-document.ts';

export interface DocumentResult {
  /** The document and its kind, when it passed the kind's schema. */
  valid?: { document: ValidDocument; kind: DocumentKind };
  errors: ConfigError[];
}

/** Check one YAML document against the schema of its kind, among `kinds`. */
export function validateDocument(
  source: SourceDocument,
  kinds: readonly DocumentKind[],
): DocumentResult {
  const data = source.data;
  const position = locate(source, []);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const message = `expected a mapping with apiVersion, kind, metadata and spec, found ${describeValue(data)}`;
    return { errors: [new ConfigError(position, '', message)] };
  }
  const kind = findDocumentKind(kinds, (data as Record<string, unknown>).kind);
  const schema = kind ? documentSchema(kind) : envelopeSchema(kinds);
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
  const document: ValidDocument = {
    kind: kind!.kind,
    metadata,
    spec,
    position,
    locate: (path, at) => locate(source, path, at),
    source,
  };
  return { valid: { document, kind: kind! }, errors: [] };
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
