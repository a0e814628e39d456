import { isMap } from 'yaml';
import { collectFiles } from './collect-files.ts';
import type { Config } from './config.ts';
import { ConfigError, sortErrors } from './config-error.ts';
import type { CrossCheckContext, DocumentKind } from './kinds/document-kind.ts';
import type { ValidDocument } from './valid-document.ts';
import { validateDocument } from './validate-document.ts';
import { parseSource } from './yaml/parse-source.ts';
import { readSource } from './yaml/read-source.ts';
import type { SourceDocument } from './yaml/source-document.ts';

export interface LoadResult {
  /** Present exactly when there are no errors. */
  config?: Config;
  /** Every problem in every file, sorted by file, line and column. */
  errors: ConfigError[];
}

/**
 * Read, parse, validate and cross-check the config in `paths` (files, or folders of *.yaml),
 * with the document kinds given (src/documents.ts has mend's). Never throws for a problem in
 * the config: it reports all of them at once.
 */
export async function loadConfig(
  paths: readonly string[],
  kinds: readonly DocumentKind[],
): Promise<LoadResult> {
  const collected = await collectFiles(paths);
  const errors = [...collected.errors];
  const texts = await Promise.all(collected.files.map(readSource));
  // Kept to point into a value (a CEL error's column inside `when`).
  const textByFile = new Map<string, string>();
  const documents = new Map<DocumentKind, ValidDocument[]>(kinds.map((kind) => [kind, []]));
  const names = new Map<string, string[]>(kinds.map((kind) => [kind.kind, []]));
  collected.files.forEach((file, i) => {
    const read = texts[i]!;
    if ('error' in read) {
      errors.push(read.error);
      return;
    }
    textByFile.set(file, read.text);
    const parseErrors = parseSource(file, read.text, (source) => {
      const result = source.usable ? validateDocument(source, kinds) : { errors: [] };
      errors.push(...result.errors);
      if (result.valid === undefined) {
        const named = nameOf(source);
        if (named) names.get(named.kind)?.push(named.name);
        return;
      }
      const { document, kind } = result.valid;
      documents.get(kind)!.push(lean(document, kind));
      names.get(kind.kind)!.push(document.metadata.name);
    });
    errors.push(...parseErrors);
  });
  const context: CrossCheckContext = {
    documents: (kind) => [...documents].find(([k]) => k.kind === kind)?.[1] ?? [],
    names: (kind) => names.get(kind) ?? [],
    text: (file) => textByFile.get(file),
  };
  for (const [kind, list] of documents) {
    errors.push(...duplicateNames(kind, list));
    errors.push(...(kind.crossCheck?.(list, context) ?? []));
  }
  if (errors.length > 0) return { errors: sortErrors(errors) };
  return { config: buildConfig(documents, collected.files), errors: [] };
}

/** The document without its YAML, when its kind says which positions it needs. */
function lean(document: ValidDocument, kind: DocumentKind): ValidDocument {
  if (kind.positions === undefined) return document;
  const fallback = document.position;
  const positions = new Map(
    [['metadata', 'name'], ...kind.positions(document.spec)].map((path) => [
      path.join('\u0000'),
      document.locate(path),
    ]),
  );
  const { source: _source, locate: _locate, ...rest } = document;
  return { ...rest, locate: (path) => positions.get(path.join('\u0000')) ?? fallback };
}

function duplicateNames(kind: DocumentKind, documents: readonly ValidDocument[]): ConfigError[] {
  const errors: ConfigError[] = [];
  const first = new Map<string, ValidDocument>();
  for (const document of documents) {
    const name = document.metadata.name;
    const earlier = kind.single ? [...first.values()][0] : first.get(name);
    if (earlier === undefined) {
      first.set(name, document);
      continue;
    }
    const at = earlier.locate(['metadata', 'name']);
    const expected = kind.single
      ? `at most one ${kind.kind} document, found ${JSON.stringify(name)} (another at`
      : `a unique ${kind.kind} name, found ${JSON.stringify(name)} again (first at`;
    errors.push(
      new ConfigError(
        document.locate(['metadata', 'name']),
        'metadata.name',
        `expected ${expected} ${at.file}:${at.line}:${at.col})`,
      ),
    );
  }
  return errors;
}

/** Config from valid documents, each kind's built into its section. */
export function buildConfig(
  documents: ReadonlyMap<DocumentKind, readonly ValidDocument[]>,
  files: string[],
): Config {
  const sections: Record<string, unknown> = {};
  for (const [kind, list] of documents) {
    const built = list.map((document) => kind.build(document));
    sections[kind.section] = kind.single ? (built[0] ?? kind.single.default) : built;
  }
  // Each kind fills its own section with the type that section has (DocumentKind<Spec, Built>
  // ties the two only per kind, which a table of kinds cannot express to the compiler).
  return { ...sections, files } as unknown as Config;
}

/**
 * The kind and name of a document that failed validation, read from the YAML nodes, not the
 * data: that works even where aliases broke the data.
 */
function nameOf(source: SourceDocument): { kind: string; name: string } | undefined {
  const { doc } = source;
  if (!isMap(doc.contents)) return undefined;
  const kind = doc.get('kind');
  const name = doc.getIn(['metadata', 'name']);
  return typeof kind === 'string' && typeof name === 'string' ? { kind, name } : undefined;
}
