/*
 * execExprInterp.ts — evaluation steps of execExpr.ts that stand on their
 * own (PostgreSQL's execExprInterp.c keeps ExecEvalSQLValueFunction and
 * its kin there too): SQLValueFunction (CURRENT_DATE, CURRENT_TIMESTAMP,
 * LOCALTIMESTAMP, CURRENT_USER, CURRENT_SCHEMA, ...) and the type a bare
 * JavaScript value is shown with in a whole-row record.
 *
 * Exports: ExecInitSQLValueFunction, datumTypeOid
 *
 * Times come from the transaction start (estate.fmgr.transactionTimestamp),
 * so every call in one transaction agrees, as PostgreSQL's now() does; the
 * local date and time use the session time zone (utils/adt/timezone.ts via
 * timestamptzToLocal). CURRENT_TIME needs time with time zone, which does
 * not exist yet: 0A000.
 */

import type { SQLValueFunction } from '../nodes/primnodes.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { typeByOid } from '../utils/adt/types.ts';
import { adjustTimestampForTypmod, timestamptzToLocal } from '../utils/adt/timestamp.ts';
import { adjustTimeForTypmod } from '../utils/adt/time.ts';
import { timetzFromTimestamptz, type TimeTz } from '../utils/adt/timetz.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import type { CatalogAccess } from '../utils/rel.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { ExprState } from './execnodes.ts';

const INT4OID = 23;
const TEXTOID = 25;

export function ExecInitSQLValueFunction(e: SQLValueFunction, ctx: FunctionCallContext, catalog: CatalogAccess): ExprState {
  const typmod = e.typmod;
  switch (e.op) {
    case 'SVFOP_CURRENT_DATE':
      return () => {
        const local = timestamptzToLocal(ctx.transactionTimestamp());
        const USECS_PER_DAY = 86_400_000_000n;
        let q = local / USECS_PER_DAY;
        if (local % USECS_PER_DAY < 0n) q -= 1n;
        return Number(q);
      };
    case 'SVFOP_CURRENT_TIMESTAMP':
    case 'SVFOP_CURRENT_TIMESTAMP_N':
      return () => adjustTimestampForTypmod(ctx.transactionTimestamp(), typmod);
    case 'SVFOP_LOCALTIMESTAMP':
    case 'SVFOP_LOCALTIMESTAMP_N':
      return () => adjustTimestampForTypmod(timestamptzToLocal(ctx.transactionTimestamp()), typmod);
    case 'SVFOP_CURRENT_TIME':
    case 'SVFOP_CURRENT_TIME_N':
      // The transaction start as a time of day with the session zone's offset (timestamptz_timetz).
      return () => {
        const t = timetzFromTimestamptz(ctx.transactionTimestamp()) as TimeTz;
        return { time: adjustTimeForTypmod(t.time, typmod), zone: t.zone };
      };
    case 'SVFOP_LOCALTIME':
    case 'SVFOP_LOCALTIME_N':
      // The session-local time of day of the transaction start.
      return () => {
        const local = timestamptzToLocal(ctx.transactionTimestamp());
        const USECS_PER_DAY = 86_400_000_000n;
        let r = local % USECS_PER_DAY;
        if (r < 0n) r += USECS_PER_DAY;
        return adjustTimeForTypmod(r, typmod);
      };
    case 'SVFOP_CURRENT_ROLE':
    case 'SVFOP_CURRENT_USER':
    case 'SVFOP_USER':
    case 'SVFOP_SESSION_USER':
      return () => ctx.getSetting('session_authorization', true) ?? 'postgres';
    case 'SVFOP_CURRENT_CATALOG':
      return () => 'postgres';
    case 'SVFOP_CURRENT_SCHEMA': {
      return () => {
        const path = ctx.getSetting('search_path', true) ?? '"$user", public';
        for (const raw of path.split(',')) {
          const name = raw.trim().replace(/^"(.*)"$/, '$1');
          if (name === '$user' || name === '') continue;
          if (catalog.namespaceOid(name) !== null) return name;
        }
        return null;
      };
    }
    default:
      throw new PgError(SQLSTATE.feature_not_supported, `${String((e as { op: string }).op).replace('SVFOP_', '')} is not supported`);
  }
}

/** The type OID a whole-row record field is shown with, from its JavaScript form. */
export function datumTypeOid(v: unknown): number {
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? INT4OID : 701;
    case 'bigint': return 20;
    case 'boolean': return 16;
    case 'string': return TEXTOID;
    default: return v instanceof Uint8Array ? 17 : v instanceof ArrayValue ? (typeByOid(v.elemtype)?.typarray ?? 0) : TEXTOID;
  }
}
