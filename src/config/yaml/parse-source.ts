import type { Document, Node, YAMLError } from 'yaml';
import { Composer, isScalar, LineCounter, Parser, visit } from 'yaml';
import { ConfigError } from '../config-error.ts';
import { formatFieldPath } from '../field-path.ts';
import { findKeyAt } from './find-key.ts';
import type { SourceDocument } from './source-document.ts';

/**
 * Split a file into its YAML documents (`---`), turning every YAML problem into a ConfigError.
 * Documents are handed to `onDocument` one at a time as they are parsed, so a caller that keeps
 * only what it needs of each never holds the syntax trees of a 10,000-document file at once.
 */
export function parseSource(
  file: string,
  text: string,
  onDocument: (document: SourceDocument) => void,
): ConfigError[] {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ uniqueKeys: true, prettyErrors: false });
  let documents = 0;
  const errors: ConfigError[] = [];
  for (const doc of composer.compose(parser.parse(text))) {
    // A bare `---` at the end (or start) of a file is an empty document: ignore it, as kubectl does.
    if (isEmpty(doc) && doc.errors.length === 0) continue;
    const at = (offset: number) => ({ file, ...lines.linePos(offset) });
    const problems = [
      ...[...doc.errors, ...doc.warnings].map((error) => yamlError(doc, error, at)),
      ...structureErrors(doc, at),
    ];
    // Data is read even from a broken document: its name still counts as defined, so other
    // documents that depend on it are not reported too. A conversion error is only news when
    // the YAML was otherwise fine.
    const converted = toData(doc, at);
    if (problems.length === 0 && 'error' in converted) problems.push(converted.error);
    errors.push(...problems);
    const data = 'data' in converted ? converted.data : undefined;
    documents++;
    onDocument({ file, doc, lines, data, usable: problems.length === 0 });
  }
  if (documents === 0 && errors.length === 0) {
    errors.push(
      new ConfigError(
        { file, line: 1, col: 1 },
        '',
        'expected at least one YAML document, found none (the file is empty or only comments)',
      ),
    );
  }
  return errors;
}

/** No content at all: the parser gives an empty null scalar for `---` followed by nothing. */
function isEmpty(doc: Document.Parsed): boolean {
  const contents = doc.contents as Node | null;
  if (contents === null) return true;
  return (
    isScalar(contents) && contents.value === null && contents.range?.[0] === contents.range?.[1]
  );
}

type At = (offset: number) => { file: string; line: number; col: number };

function yamlError(doc: Document.Parsed, error: YAMLError, at: At): ConfigError {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    const match = findKeyAt(doc.contents, offset);
    if (match) {
      const name = match.path[match.path.length - 1];
      const first = match.map.items.find(
        (pair) => isScalar(pair.key) && String(pair.key.value) === name,
      );
      const firstAt = at((first?.key as Node | undefined)?.range?.[0] ?? offset);
      return new ConfigError(
        at(offset),
        formatFieldPath(match.path),
        `expected each key once, found ${JSON.stringify(name)} again (first at line ${firstAt.line}, column ${firstAt.col})`,
      );
    }
  }
  // The parser's own words, without the trailing "at line N, column M" it adds.
  const message = error.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  return new ConfigError(at(offset), '', `YAML: ${message}`);
}

/** What parses as YAML but cannot be a config: keys that are not scalars, dangling aliases. */
function structureErrors(doc: Document.Parsed, at: At): ConfigError[] {
  const errors: ConfigError[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      if (key !== null && !isScalar(key)) {
        errors.push(
          new ConfigError(
            at(key.range?.[0] ?? 0),
            '',
            'expected a plain key, found a mapping or list used as a key',
          ),
        );
      }
    },
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        errors.push(
          new ConfigError(
            at(alias.range?.[0] ?? 0),
            '',
            `expected an anchor defined before its use, found alias *${alias.source} with no &${alias.source} above it`,
          ),
        );
      }
    },
  });
  return errors;
}

function toData(doc: Document.Parsed, at: At): { data: unknown } | { error: ConfigError } {
  try {
    // The alias limit guards against "billion laughs" documents.
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    return { error: new ConfigError(at(doc.range[0]), '', `YAML: ${(err as Error).message}`) };
  }
}
