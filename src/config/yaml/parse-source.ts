import type { CST, Document, Node, Pair } from 'yaml';
import { Composer, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, Parser } from 'yaml';
import { ConfigError } from '../config-error.ts';
import { formatFieldPath } from '../field-path.ts';
import { CONFIG_LIMITS, type ConfigLimits } from '../limits.ts';
import type { SourceDocument } from './source-document.ts';
import { syntaxErrors } from './syntax-errors.ts';

export interface ParseOptions {
  limits?: Pick<ConfigLimits, 'maxLineLength' | 'maxDocumentLength' | 'maxDepth' | 'maxDocuments'>;
  /** Documents already read from other files of the config (they count toward `maxDocuments`). */
  documentsBefore?: number;
}

/**
 * Split a file into its YAML documents (`---`), turning every YAML problem into a ConfigError.
 * Documents are handed to `onDocument` one at a time as they are parsed, so a caller that keeps
 * only what it needs of each never holds the syntax trees of a 10,000-document file at once.
 *
 * Bounded, so no text can hang or crash it: lines, documents and nesting are limited before the
 * parser sees them (the YAML parser recurses once per level of nesting), keys are checked for
 * duplicates in linear time (the parser's own check is quadratic), and an exception from the
 * parser is reported as an error of the file, never thrown.
 */
export function parseSource(
  file: string,
  text: string,
  onDocument: (document: SourceDocument) => void,
  options: ParseOptions = {},
): ConfigError[] {
  const limits = options.limits ?? CONFIG_LIMITS;
  const documentsLeft = limits.maxDocuments - (options.documentsBefore ?? 0);
  const lines = new LineCounter();
  const at = (offset: number) => ({ file, ...lines.linePos(offset) });
  const long = longLine(text, limits.maxLineLength);
  if (long !== undefined) return [long(file)];
  const errors: ConfigError[] = [];
  let documents = 0;
  const stop: { error?: ConfigError } = {};
  // The parser makes an Error object for each problem it notes, and a broken file can have
  // millions: capturing a stack trace for each took a minute on 7 MB. Nothing reads them, and
  // parsing is synchronous, so nothing else runs while the limit is off.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const parser = new Parser(lines.addNewLine);
    const composer = new Composer({ uniqueKeys: false, prettyErrors: false });
    lines.addNewLine(0); // as Parser.parse does; feeding tokens by hand skips it
    const tokens = boundedTokens(text, parser, limits, (offset, message) => {
      stop.error = new ConfigError(at(offset), '', message);
    });
    for (const doc of composer.compose(tokens)) {
      if (stop.error) break; // the document cut short by a limit is not read
      // A bare `---` at the end (or start) of a file is an empty document: ignore it, as kubectl does.
      if (isEmpty(doc) && doc.errors.length === 0) continue;
      if (documents >= documentsLeft) {
        const message = `expected at most ${count(limits.maxDocuments)} YAML documents in the config (the limit), found more: pass fewer files`;
        stop.error = new ConfigError(at(doc.range[0]), '', message);
        break;
      }
      documents++;
      const structure = structureOf(doc, at);
      const syntax = syntaxErrors([...doc.errors, ...doc.warnings], text, at, structure.flowStarts);
      // On a line the parser already objects to, what it built of the line is not news.
      const syntaxLines = new Set(syntax.map((error) => error.line));
      const problems = [
        ...syntax,
        ...structure.errors.filter((error) => !syntaxLines.has(error.line)),
      ];
      // Data is read even from a broken document: its name still counts as defined, so other
      // documents that depend on it are not reported too. A conversion error is only news when
      // the YAML was otherwise fine. Not with keys that are collections: turning those into
      // text takes exponential time in their depth.
      const converted = structure.collectionKeys ? { data: undefined } : toData(doc, at);
      if (problems.length === 0 && 'error' in converted) problems.push(converted.error);
      errors.push(...problems);
      const data = 'data' in converted ? converted.data : undefined;
      onDocument({ file, doc, lines, data, usable: problems.length === 0 });
    }
  } catch (err) {
    // The YAML library's own failure on some input it was not built for: the file's error.
    const message = `YAML: the parser failed on this file (${(err as Error).message}); simplify the YAML around where it goes wrong`;
    errors.push(new ConfigError({ file, line: 0, col: 0 }, '', message));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (stop.error) errors.push(stop.error);
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

/** 1,000,000: numbers as people read them. */
const count = (n: number) => n.toLocaleString('en-US');

/** The first line longer than the limit, as an error, or undefined. */
function longLine(text: string, max: number): ((file: string) => ConfigError) | undefined {
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end - start > max) {
      const length = end - start;
      return (file) =>
        new ConfigError(
          { file, line, col: max + 1 },
          '',
          `expected lines of at most ${count(max)} characters (the limit), found one of ${count(length)}: break it over several lines (a long text can be a block scalar, | or >)`,
        );
    }
    start = end + 1;
    line++;
  }
  return undefined;
}

/**
 * The parser's tokens, cut short (with `onLimit`) where a document grows past its size or its
 * nesting past its depth: the parser keeps one stack entry per open level, so its depth is
 * known exactly, before it is deep enough to overflow the call stack.
 */
function* boundedTokens(
  text: string,
  parser: Parser,
  limits: Pick<ConfigLimits, 'maxDocumentLength' | 'maxDepth'>,
  onLimit: (offset: number, message: string) => void,
): Generator<CST.Token> {
  const lexer = new Lexer();
  let documentStart = 0;
  for (const lexeme of lexer.lex(text)) {
    if (lexeme === '---' || lexeme === '...') documentStart = parser.offset;
    const offset = parser.offset;
    yield* parser.next(lexeme);
    // The stack holds the document, then one entry per level of nesting.
    if (parser.stack.length - 1 > limits.maxDepth) {
      onLimit(
        offset,
        `expected at most ${limits.maxDepth} levels of nested mappings and lists (the limit), found more here: look for a [ or { that is never closed, or flatten the document`,
      );
      return;
    }
    if (parser.offset - documentStart > limits.maxDocumentLength) {
      onLimit(
        documentStart,
        `expected a YAML document of at most ${count(limits.maxDocumentLength)} characters (the limit), found a longer one starting here: split it into several documents (---)`,
      );
      return;
    }
  }
  yield* parser.end();
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

/**
 * What parses as YAML but cannot be a config: keys that are not scalars, keys written twice in
 * one mapping, dangling aliases. One walk over the tree with an explicit stack (no recursion),
 * a set of keys per mapping (linear, where the parser's own check compares every pair).
 */
function structureOf(
  doc: Document.Parsed,
  at: At,
): { errors: ConfigError[]; collectionKeys: boolean; flowStarts: Map<number, number> } {
  const errors: ConfigError[] = [];
  let collectionKeys = false;
  const flowStarts = new Map<number, number>();
  const pending: Walk[] = [{ node: doc.contents, step: undefined }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node } = item;
    if ((isMap(node) || isSeq(node)) && node.flow && node.range) {
      flowStarts.set(node.range[1], node.range[0]);
    }
    if (isMap(node)) {
      const first = new Map<string, Node | null>();
      for (const pair of node.items as Pair<Node | null, unknown>[]) {
        const key = pair.key;
        if (key !== null && !isScalar(key)) {
          collectionKeys = true;
          errors.push(
            new ConfigError(
              at(key.range?.[0] ?? 0),
              '',
              'expected a plain key, found a mapping or list used as a key',
            ),
          );
          continue;
        }
        const name = key === null ? '' : String(key.value);
        const step = { key: name, parent: item };
        if (first.has(name)) errors.push(duplicateKey(pathOf(step), key, first.get(name)!, at));
        else first.set(name, key);
        pending.push({ node: pair.value, step });
      }
    } else if (isSeq(node)) {
      for (let index = 0; index < node.items.length; index++) {
        pending.push({ node: node.items[index], step: { key: index, parent: item } });
      }
    } else if (isAlias(node) && node.resolve(doc) === undefined) {
      errors.push(
        new ConfigError(
          at(node.range?.[0] ?? 0),
          '',
          `expected an anchor defined before its use, found alias *${node.source} with no &${node.source} above it`,
        ),
      );
    }
  }
  return { errors, collectionKeys, flowStarts };
}

/** A node to visit, and how it was reached (its path is only spelled out for an error). */
interface Walk {
  node: unknown;
  step: { key: PropertyKey; parent: Walk } | undefined;
}

function pathOf(step: { key: PropertyKey; parent: Walk }): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Walk['step'] = step; at !== undefined; at = at.parent.step) path.unshift(at.key);
  return path;
}

function duplicateKey(
  path: PropertyKey[],
  key: Node | null,
  first: Node | null,
  at: At,
): ConfigError {
  const offset = key?.range?.[0] ?? 0;
  const firstAt = at(first?.range?.[0] ?? offset);
  const name = path[path.length - 1];
  return new ConfigError(
    at(offset),
    formatFieldPath(path),
    `expected each key once, found ${JSON.stringify(name)} again (first at line ${firstAt.line}, column ${firstAt.col})`,
  );
}

function toData(doc: Document.Parsed, at: At): { data: unknown } | { error: ConfigError } {
  try {
    // The alias limit guards against "billion laughs" documents.
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    return { error: new ConfigError(at(doc.range[0]), '', `YAML: ${(err as Error).message}`) };
  }
}
