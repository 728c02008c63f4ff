/*
 * nodetree.ts — the text of a pg_node_tree column (pg_attrdef.adbin,
 * pg_constraint.conbin, pg_rewrite.ev_action).
 *
 * Exports:
 *   encodeNodeTree(node, src)   the column's text
 *   decodeNodeTree(text)        {node, src}
 *
 * PostgreSQL stores only the tree and deparses it (pg_get_expr,
 * pg_get_constraintdef, pg_get_viewdef) when \d asks. Here the column
 * keeps the text beside the tree: {"src": "...", "node": <nodes/outfuncs.ts
 * JSON>}. For defaults and CHECK constraints the src is the analyzed tree
 * deparsed as ruleutils does (commands/explain_deparse.ts
 * deparseRelationExpr: `'n'::text`, `(a > 0)`), so pg_get_expr and \d
 * show PostgreSQL's text; a view keeps its definition's source text.
 */

import { nodeToString, stringToNode } from '../nodes/outfuncs.ts';
import { elog } from '../utils/errors.ts';

export function encodeNodeTree(node: unknown, src: string): string {
  return `{"src":${JSON.stringify(src)},"node":${nodeToString(node)}}`;
}

export function decodeNodeTree<T>(text: string): { node: T; src: string } {
  const v = stringToNode<{ src?: unknown; node?: unknown }>(text);
  if (v === null || typeof v !== 'object' || typeof v.src !== 'string' || v.node === undefined) elog('malformed pg_node_tree value');
  return { node: v.node as T, src: v.src };
}
