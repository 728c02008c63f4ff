/*
 * execScanKeys.ts — turns the leading conditions of a SeqScan's qual into
 * heap scan keys (access/common/scankey.ts), tested on each tuple's stored
 * bytes before it is deformed, in the way nodeIndexscan.c's
 * ExecIndexBuildScanKeys turns index quals into index scan keys.
 *
 * A condition becomes a key when it is `column op value` (either side)
 * with the column a plain attribute of the scanned table and the value a
 * non-NULL Const or a `$n` parameter, and op one of:
 *   - an integer comparison (<, <=, =, >=, >, <>) between int2/int4/int8
 *     types, built in;
 *   - LIKE / NOT LIKE (textlike, textnlike) on a text or varchar column,
 *     which run on the UTF-8 bytes without decoding them.
 *
 * Only a prefix of the qual list is converted: the keys run before the
 * rest, so converting a later condition past one that is not converted
 * could skip a row on which the earlier condition would have raised an
 * error (1/x = 0 AND ...). Within the prefix the keys keep the qual's
 * order. The plan is unchanged (EXPLAIN still shows the whole Filter);
 * rows the keys skip count as removed by the filter.
 *
 * Exports: ExecSeqScanKeys
 */

import { IntCompareKey, KEY_EQ, KEY_GE, KEY_GT, KEY_LE, KEY_LT, KEY_NE, LikeKey, type HeapScanKey, type KeyStrategy } from '../access/common/scankey.ts';
import type { TupleDesc } from '../access/common/tupdesc.ts';
import type { Expr, Var } from '../nodes/primnodes.ts';
import { likePattern } from '../utils/adt/like.ts';
import { lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
import type { EState } from './execnodes.ts';

const INT8OID = 20;
const INT2OID = 21;
const INT4OID = 23;
const TEXTOID = 25;
const VARCHAROID = 1043;
/** Functions below this OID are built in (PostgreSQL's FirstNormalObjectId). */
const FIRST_NORMAL_OBJECT_ID = 16384;

/** Built-in integer comparison functions (int4lt, int48ge, int2ne, ...): their strategy by name suffix. */
const INT_CMP_SUFFIX: Record<string, KeyStrategy> = { lt: KEY_LT, le: KEY_LE, eq: KEY_EQ, ge: KEY_GE, gt: KEY_GT, ne: KEY_NE };
const INT_CMP_RE = /^int[248]{1,2}(lt|le|eq|ge|gt|ne)$/;
/** The strategy with its operands swapped (b < a is a > b). */
const COMMUTED: Record<KeyStrategy, KeyStrategy> = { 1: KEY_GT, 2: KEY_GE, 3: KEY_EQ, 4: KEY_LE, 5: KEY_LT, 6: KEY_NE };

const isInt = (t: number): boolean => t === INT2OID || t === INT4OID || t === INT8OID;

/** The scanned table's column under `e`, looking through a binary-compatible relabeling (varchar read as text). */
function scanColumn(e: Expr, scanrelid: number): Var | null {
  const inner = e.type === 'RelabelType' ? e.arg : e;
  if (inner.type !== 'Var' || inner.varno !== scanrelid || inner.varattno <= 0 || inner.varlevelsup !== 0) return null;
  return inner;
}

/** The value of a run-time constant (a non-NULL Const, or a `$n` parameter), or undefined. */
function constantValue(e: Expr, estate: EState): unknown {
  const inner = e.type === 'RelabelType' ? e.arg : e;
  if (inner.type === 'Const') return inner.constisnull ? undefined : inner.constvalue;
  if (inner.type === 'Param' && inner.paramkind === 'PARAM_EXTERN') {
    const v = estate.externParams[inner.paramid - 1];
    return v === null ? undefined : v;
  }
  return undefined;
}

function toKey(q: Expr, scanrelid: number, desc: TupleDesc, estate: EState): HeapScanKey | null {
  if (q.type !== 'OpExpr' || q.args.length !== 2 || q.opfuncid >= FIRST_NORMAL_OBJECT_ID) return null;
  let col = scanColumn(q.args[0], scanrelid);
  let value: unknown;
  let swapped = false;
  if (col !== null) value = constantValue(q.args[1], estate);
  else {
    col = scanColumn(q.args[1], scanrelid);
    if (col === null) return null;
    value = constantValue(q.args[0], estate);
    swapped = true;
  }
  if (value === undefined || col.varattno > desc.natts) return null;
  const attno = col.varattno;
  const coltype = desc.types[attno - 1].oid;
  if (coltype !== col.vartype) return null;
  const fn = lookupFunctionByOid(q.opfuncid);
  const m = INT_CMP_RE.exec(fn.proname);
  if (m !== null && isInt(coltype) && ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint')) {
    const s = INT_CMP_SUFFIX[m[1]];
    return new IntCompareKey(attno, desc.attlen[attno - 1], swapped ? COMMUTED[s] : s, value);
  }
  if ((fn.proname === 'textlike' || fn.proname === 'textnlike') && !swapped && (coltype === TEXTOID || coltype === VARCHAROID) && typeof value === 'string') {
    return new LikeKey(attno, likePattern(value, false), fn.proname === 'textnlike');
  }
  return null;
}

/**
 * Splits a SeqScan's qual: the scan keys of its convertible prefix, and the
 * conditions left for the executor.
 */
export function ExecSeqScanKeys(quals: readonly Expr[], scanrelid: number, desc: TupleDesc, estate: EState): { keys: HeapScanKey[]; rest: Expr[] } {
  const keys: HeapScanKey[] = [];
  let i = 0;
  for (; i < quals.length; i++) {
    const k = toKey(quals[i], scanrelid, desc, estate);
    if (k === null) break;
    keys.push(k);
  }
  return { keys, rest: quals.slice(i) };
}
