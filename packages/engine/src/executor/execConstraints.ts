/*
 * execConstraints.ts — the checks a new row must pass before it is stored
 * (PostgreSQL's ExecConstraints, ExecComputeStoredGenerated and
 * ExecBuildSlotValueDescription in execMain.c / nodeModifyTable.c), and
 * the UPDATE-side identity / generated column rule of rewriteHandler.c.
 *
 * Exports:
 *   ResultRelConstraints    a result relation's compiled checks (built once per query)
 *   initResultRelConstraints(rel, parent, estate)
 *   computeStoredGenerated(rc, values, econtext)
 *   execConstraints(rc, values, econtext)
 *   checkUpdateTargets(rel, colnos, exprs)   428C9 for identity ALWAYS / generated columns
 *   slotValueDescription(rel, values)        "(1, null)" for DETAIL lines
 *
 * Order, as PostgreSQL's: generated columns are computed first, then NOT
 * NULL in column order, then CHECK constraints in name order (the relcache
 * sorts them by name). A CHECK passes when its expression is true or NULL.
 * varchar / numeric typmods are applied by the planner's coercions, so
 * nothing here re-checks lengths. Unique and foreign keys are elsewhere
 * (the engine's index maintenance, utils/adt/ri_triggers.ts).
 */

import type { Expr } from '../nodes/primnodes.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { typeByOid } from '../utils/adt/types.ts';
import { PgError } from '../utils/errors.ts';
import { ERRCODE } from '../commands/errcodes.ts';
import { ExecInitExpr } from './execExpr.ts';
import { TupleTableSlot, type EState, type ExprContext, type ExprState, type PlanState } from './execnodes.ts';

/** PostgreSQL clips each value of a "Failing row contains" line to this many characters, adding "...". */
const MAX_FIELD_LEN = 64;

export interface ResultRelConstraints {
  readonly rel: RelationInfo;
  /** Attnums (1-based) of NOT NULL columns that are not dropped. */
  readonly notNullAttnums: readonly number[];
  readonly checks: readonly { conname: string; expr: ExprState }[];
  /** GENERATED ALWAYS AS (expr) STORED columns, in attnum order. */
  readonly generated: readonly { attnum: number; expr: ExprState }[];
  /** The slot the checks read the row from (econtext.scantuple while they run). */
  readonly slot: TupleTableSlot;
}

export function initResultRelConstraints(rel: RelationInfo, parent: PlanState | null, estate: EState): ResultRelConstraints {
  const notNullAttnums: number[] = [];
  const generated: { attnum: number; expr: ExprState }[] = [];
  for (const a of rel.attrs) {
    if (a.attisdropped) continue;
    if (a.attnotnull) notNullAttnums.push(a.attnum);
    if (a.attgenerated === 's') {
      const e = rel.defaults.get(a.attnum);
      if (e !== undefined) generated.push({ attnum: a.attnum, expr: ExecInitExpr(e, parent, estate) });
    }
  }
  const checks = rel.constraints
    .filter((c) => c.contype === 'c' && c.conbin !== null)
    .sort((a, b) => (a.conname < b.conname ? -1 : a.conname > b.conname ? 1 : 0))
    .map((c) => ({ conname: c.conname, expr: ExecInitExpr(c.conbin as Expr, parent, estate) }));
  return { rel, notNullAttnums, checks, generated, slot: new TupleTableSlot(rel.attrs.length) };
}

/** ExecComputeStoredGenerated: fills the generated columns of `values` from the other columns. */
export function computeStoredGenerated(rc: ResultRelConstraints, values: unknown[], econtext: ExprContext): void {
  if (rc.generated.length === 0) return;
  const saved = econtext.scantuple;
  rc.slot.values = values;
  econtext.scantuple = rc.slot;
  try {
    for (const g of rc.generated) values[g.attnum - 1] = g.expr(econtext);
  } finally {
    econtext.scantuple = saved;
  }
}

/** ExecConstraints: NOT NULL, then CHECK. Throws 23502 / 23514 with PostgreSQL's DETAIL. */
export function execConstraints(rc: ResultRelConstraints, values: unknown[], econtext: ExprContext): void {
  const rel = rc.rel;
  for (const attnum of rc.notNullAttnums) {
    const v = values[attnum - 1];
    if (v === null || v === undefined) {
      const attname = rel.attrs[attnum - 1].attname;
      throw new PgError(ERRCODE.not_null_violation, `null value in column "${attname}" of relation "${rel.relname}" violates not-null constraint`, {
        detail: `Failing row contains ${slotValueDescription(rel, values)}.`,
        table: rel.relname,
        column: attname,
      });
    }
  }
  if (rc.checks.length === 0) return;
  const saved = econtext.scantuple;
  rc.slot.values = values;
  econtext.scantuple = rc.slot;
  try {
    for (const c of rc.checks) {
      if (c.expr(econtext) === false) {
        throw new PgError(ERRCODE.check_violation, `new row for relation "${rel.relname}" violates check constraint "${c.conname}"`, {
          detail: `Failing row contains ${slotValueDescription(rel, values)}.`,
          table: rel.relname,
          constraint: c.conname,
        });
      }
    }
  } finally {
    econtext.scantuple = saved;
  }
}

/** One value as a DETAIL line shows it: the type's text output, clipped; NULL as "null". */
export function valueText(typeOid: number, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const t = typeByOid(typeOid);
  let s: string;
  try {
    s = t !== undefined ? t.output(v as never) : String(v);
  } catch {
    s = String(v);
  }
  return s.length > MAX_FIELD_LEN ? s.slice(0, MAX_FIELD_LEN) + '...' : s;
}

/** ExecBuildSlotValueDescription: "(1, null, abc)" over the columns that are not dropped. */
export function slotValueDescription(rel: RelationInfo, values: readonly unknown[]): string {
  const parts: string[] = [];
  for (const a of rel.attrs) {
    if (a.attisdropped) continue;
    parts.push(valueText(a.atttypid, values[a.attnum - 1]));
  }
  return `(${parts.join(', ')})`;
}

/**
 * UPDATE of a GENERATED ALWAYS identity column or a generated column to
 * anything but DEFAULT (rewriteTargetListIU's rule). SET col = DEFAULT
 * reaches the executor as the column's NextValueExpr (identity) or is not
 * in the SET list at all (generated), so any other expression is an error.
 */
export function checkUpdateTargets(rel: RelationInfo, colnos: readonly number[], exprs: readonly Expr[]): void {
  for (let i = 0; i < colnos.length; i++) {
    const a = rel.attrs[colnos[i] - 1];
    if (a === undefined) continue;
    const e = exprs[i];
    if (a.attidentity === 'a' && e.type !== 'NextValueExpr') {
      throw new PgError(ERRCODE.generated_always, `column "${a.attname}" can only be updated to DEFAULT`, {
        detail: `Column "${a.attname}" is an identity column defined as GENERATED ALWAYS.`,
      });
    }
    if (a.attgenerated === 's' && !(e.type === 'Const' && e.constisnull)) {
      throw new PgError(ERRCODE.generated_always, `column "${a.attname}" can only be updated to DEFAULT`, {
        detail: `Column "${a.attname}" is a generated column.`,
      });
    }
  }
}
