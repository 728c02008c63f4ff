/*
 * lsyscache.ts — the planner's questions about operators, functions and
 * types (PostgreSQL's utils/cache/lsyscache.c, the part the optimizer uses),
 * answered from the built-in registry (utils/fmgr/fmgrtab.ts) and the type
 * registry (utils/adt/types.ts).
 *
 * Exports: getOperator, getCommutator, getNegator, opIsMergejoinable,
 * opIsHashjoinable, btreeLtOpForType, btreeEqOpForType, btreeStrategyOf,
 * getTypavgwidth, typeName (format_type for EXPLAIN).
 */

import type { OperatorInfo } from '../../utils/fmgr/fmgrtypes.ts';
import { allOperators, lookupOperatorByOid } from '../../utils/fmgr/fmgrtab.ts';
import { typeByOid } from '../../utils/adt/types.ts';

const operCache = new Map<number, OperatorInfo | null>();

/** The operator, or null when the registry does not know it. */
export function getOperator(opno: number): OperatorInfo | null {
  let op = operCache.get(opno);
  if (op === undefined) {
    try {
      op = lookupOperatorByOid(opno) ?? null;
    } catch {
      op = null;
    }
    operCache.set(opno, op);
  }
  return op;
}

export const getCommutator = (opno: number): number => getOperator(opno)?.oprcom ?? 0;
export const getNegator = (opno: number): number => getOperator(opno)?.oprnegate ?? 0;
export const opIsMergejoinable = (opno: number): boolean => getOperator(opno)?.oprcanmerge ?? false;
export const opIsHashjoinable = (opno: number): boolean => getOperator(opno)?.oprcanhash ?? false;

/** The btree strategy (1 <, 2 <=, 3 =, 4 >=, 5 >) of an operator within its type's default opclass, 0 if none. */
export const btreeStrategyOf = (opno: number): number => getOperator(opno)?.btreeStrategy ?? 0;

const byTypeStrategy = new Map<string, number>();

/** The btree operator of `strategy` for left and right type (0 if none). */
export function btreeOpFor(lefttype: number, righttype: number, strategy: number): number {
  const key = `${lefttype}/${righttype}/${strategy}`;
  let opno = byTypeStrategy.get(key);
  if (opno === undefined) {
    opno = 0;
    for (const op of allOperators()) {
      if (op.oprkind === 'b' && op.oprleft === lefttype && op.oprright === righttype && op.btreeStrategy === strategy) {
        opno = op.oid;
        break;
      }
    }
    byTypeStrategy.set(key, opno);
  }
  return opno;
}

/** Types that sort with another type's operators (binary-coercible: varchar uses text's). */
const OPCLASS_TYPE = new Map<number, number>([[1043, 25]]);
const opclassType = (typ: number): number => OPCLASS_TYPE.get(typ) ?? typ;

export const btreeLtOpForType = (typ: number): number => btreeOpFor(opclassType(typ), opclassType(typ), 1);
export const btreeGtOpForType = (typ: number): number => btreeOpFor(opclassType(typ), opclassType(typ), 5);
export const btreeEqOpForType = (typ: number): number => btreeOpFor(opclassType(typ), opclassType(typ), 3);

const VARHDRSZ = 4;
const BPCHAROID = 1042;
const VARCHAROID = 1043;
const NUMERICOID = 1700;
const TIDOID = 27;
/** Bytes per character in the worst case (UTF-8). */
const MAX_ENCODING_LEN = 4;

/** The largest a value of the type and typmod can be (type_maximum_size), -1 when unbounded. */
function typeMaximumSize(typ: number, typmod: number): number {
  if (typmod < 0) return -1;
  switch (typ) {
    case BPCHAROID:
    case VARCHAROID:
      return (typmod - VARHDRSZ) * MAX_ENCODING_LEN + VARHDRSZ;
    case NUMERICOID: {
      const precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
      const numericDigits = Math.floor((precision + 2 * (4 - 1)) / 4);
      return 8 + numericDigits * 2;
    }
    default:
      return -1;
  }
}

/** Typical width of a value of the type (get_typavgwidth): its length if fixed, else a guess from the typmod, else 32. */
export function getTypavgwidth(typ: number, typmod: number): number {
  if (typ === TIDOID) return 6;
  const t = typeByOid(typ);
  if (t !== undefined && t.typlen > 0) return t.typlen;
  const maxwidth = typeMaximumSize(typ, typmod);
  if (maxwidth > 0) {
    if (typ === BPCHAROID) return maxwidth;
    if (maxwidth <= 32) return maxwidth;
    if (maxwidth < 1000) return 32 + Math.floor((maxwidth - 32) / 2);
    return 32 + Math.floor((1000 - 32) / 2);
  }
  if (t !== undefined && t.typlen === -2) return 32;
  return fixedWidths.get(typ) ?? 32;
}

/** Fixed-length types that may not be in the type registry yet (pseudo and extension types). */
const fixedWidths = new Map<number, number>([[16, 1], [18, 1], [19, 64], [20, 8], [21, 2], [23, 4], [26, 4], [27, 6], [28, 4], [29, 4], [700, 4], [701, 8], [1082, 4], [1083, 8], [1266, 12], [1114, 8], [1184, 8], [1186, 16], [2950, 16], [2205, 4], [2278, 4]]);
