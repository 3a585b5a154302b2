import { type Document, type LineCounter, isMap, isNode, isScalar, isSeq } from 'yaml';

/** 1-based line and column in the source text. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Where a key path is in a parsed YAML/JSON document: the key of the deepest map entry that
 * exists on the path (or the item, for list items), so a missing key points at its parent.
 */
export function positionOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): Position | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      offset = isNode(pair.key) ? (pair.key.range?.[0] ?? offset) : offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(key)];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
