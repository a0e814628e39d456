import { isMap } from 'yaml';
import { BoundedErrors } from './bounded-errors.ts';
import { collectFiles } from './collect-files.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config-error.ts';
import { BrokenDocuments } from './follow-on.ts';
import type { CrossCheckContext, DocumentKind } from './kinds/document-kind.ts';
import { CONFIG_LIMITS, type ConfigLimits, formatBytes } from './limits.ts';
import type { ValidDocument } from './valid-document.ts';
import { validateDocument } from './validate-document.ts';
import { parseSource } from './yaml/parse-source.ts';
import { readSource, type SourceText } from './yaml/read-source.ts';
import type { SourceDocument } from './yaml/source-document.ts';

export interface LoadResult {
  /** Present exactly when there are no errors. */
  config?: Config;
  /** The problems in every file, sorted by file, line and column: the first `maxErrors`. */
  errors: ConfigError[];
  /** Problems past `maxErrors`, counted and not kept. */
  moreErrors: number;
  /** How many files have problems (all of them, not only those of the errors kept). */
  filesWithErrors: number;
  /** What was left out of the config and why, one line each (`FILE: skipped, ...`). */
  notes: string[];
}

/**
 * Read, parse, validate and cross-check the config in `paths` (files, or folders of *.yaml),
 * with the document kinds given (src/documents.ts has mend's). Never throws for a problem in
 * the config: it reports all of them at once, within `limits` (limits.ts: what no input may
 * exceed, so that no input can hang or crash the loader).
 */
export async function loadConfig(
  paths: readonly string[],
  kinds: readonly DocumentKind[],
  overrides: Partial<ConfigLimits> = {},
): Promise<LoadResult> {
  const limits: ConfigLimits = { ...CONFIG_LIMITS, ...overrides };
  const collected = await collectFiles(paths, limits);
  const errors = new BoundedErrors(limits.maxErrors);
  errors.add(collected.errors);
  const texts = await readSources(collected.files, limits);
  // Kept to point into a value (a CEL error's column inside `when`).
  const textByFile = new Map<string, string>();
  const documents = new Map<DocumentKind, ValidDocument[]>(kinds.map((kind) => [kind, []]));
  const names = new Map<string, string[]>(kinds.map((kind) => [kind.kind, []]));
  const broken = new BrokenDocuments();
  let count = 0;
  collected.files.forEach((file, i) => {
    const read = texts[i]!;
    if ('error' in read) {
      errors.add([read.error]);
      broken.addUnknown();
      return;
    }
    textByFile.set(file, read.text);
    const documentsBefore = count;
    const parseErrors = parseSource(
      file,
      read.text,
      (source) => {
        count++;
        const result = source.usable ? validateDocument(source, kinds) : { errors: [] };
        errors.add(result.errors);
        if (result.valid === undefined) {
          broken.add(source);
          const named = nameOf(source);
          if (named) names.get(named.kind)?.push(named.name);
          return;
        }
        const { document, kind } = result.valid;
        documents.get(kind)!.push(lean(document, kind));
        names.get(kind.kind)!.push(document.metadata.name);
      },
      { limits, documentsBefore },
    );
    // Errors of the file as a whole, or of a limit that cut it short: its documents are unknown.
    if (parseErrors.some((error) => error.line === 0 || isLimit(error))) broken.addUnknown();
    errors.add(parseErrors);
  });
  const context: CrossCheckContext = {
    documents: (kind) => [...documents].find(([k]) => k.kind === kind)?.[1] ?? [],
    names: (kind) => names.get(kind) ?? [],
    text: (file) => textByFile.get(file),
  };
  for (const [kind, list] of documents) {
    errors.add(duplicateNames(kind, list));
    // A reference to a document that did not load would only repeat that document's error.
    errors.add(broken.filter(kind.crossCheck?.(list, context) ?? []));
  }
  const notes = [...collected.notes, ...broken.notes()];
  if (errors.count > 0) return { ...errors.result(), notes };
  const config = buildConfig(documents, collected.files);
  return { config, errors: [], moreErrors: 0, filesWithErrors: 0, notes };
}

/**
 * The files' texts, read one at a time so that at most `maxConfigBytes` are ever held: a file
 * past that total is not read, and is reported.
 */
async function readSources(files: readonly string[], limits: ConfigLimits): Promise<SourceText[]> {
  const texts: SourceText[] = [];
  let total = 0;
  for (const file of files) {
    const left = limits.maxConfigBytes - total;
    const read = left > 0 ? await readSource(file, limits) : undefined;
    if (read !== undefined && 'text' in read && Buffer.byteLength(read.text) <= left) {
      total += Buffer.byteLength(read.text);
      texts.push(read);
    } else if (read !== undefined && 'error' in read) {
      texts.push(read);
    } else {
      const message = `cannot read: the config's files together are over ${formatBytes(limits.maxConfigBytes)} (the limit for all files together) with this one: pass fewer files`;
      texts.push({ error: new ConfigError({ file, line: 0, col: 0 }, '', message) });
    }
  }
  return texts;
}

/** A limit of limits.ts that stopped the parser: the rest of the file was not read. */
function isLimit(error: ConfigError): boolean {
  return / \(the limit\)/.test(error.message);
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
