import type { Document, Node } from 'yaml';
import { isAlias, isCollection, isMap, isScalar, isSeq } from 'yaml';
import type { SourcePosition } from '../config-error.ts';
import type { SourceDocument } from './source-document.ts';

/**
 * Where in the file the field at `path` is written. A value that is a block collection or empty
 * is pointed at by its key (`tcp:`), since its own range starts on another line or nowhere. A
 * missing field is pointed at by its parent, the object that lacks it.
 */
export function locate(
  source: SourceDocument,
  path: readonly PropertyKey[],
  at: 'value' | 'key' = 'value',
): SourcePosition {
  const { doc, lines, file } = source;
  let node = resolve(doc, doc.contents);
  let key: Node | undefined;
  for (const segment of path) {
    const next = child(doc, node, segment);
    if (next === undefined) break;
    ({ node, key } = next);
  }
  const useKey = key !== undefined && (at === 'key' || !hasOwnPlace(node));
  const offset = (useKey ? key?.range?.[0] : node?.range?.[0]) ?? doc.range[0];
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}

/** The position of a byte offset in the document's file. */
export function positionOf(source: SourceDocument, offset: number): SourcePosition {
  const { line, col } = source.lines.linePos(offset);
  return { file: source.file, line, col };
}

function child(
  doc: Document.Parsed,
  node: Node | null,
  segment: PropertyKey,
): { node: Node | null; key: Node | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find(
      (item) => isScalar(item.key) && String(item.key.value) === String(segment),
    );
    if (pair === undefined) return undefined;
    return { node: resolve(doc, pair.value as Node | null), key: pair.key as Node };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined
      ? undefined
      : { node: resolve(doc, item as Node | null), key: undefined };
  }
  return undefined;
}

function resolve(doc: Document.Parsed, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? node;
  return (node as Node | null) ?? null;
}

/** Whether the node starts where its value is written (a scalar or flow collection with text). */
function hasOwnPlace(node: Node | null): boolean {
  if (node === null || node.range === undefined || node.range === null) return false;
  if (isCollection(node)) return node.flow === true;
  if (isScalar(node)) return node.range[0] !== node.range[1];
  return true;
}
