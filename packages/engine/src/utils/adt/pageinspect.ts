/*
 * pageinspect.ts — PostgreSQL's contrib/pageinspect heap functions, built in
 * (tabgres has no extensions: they are in pg_catalog from initdb on), and
 * tabgres_query_journey, the parse/analyze view of one statement for the
 * playground.
 *
 * Exports: nothing but the registrations; database.ts imports this module
 * for its effect.
 *
 *   get_raw_page(relname text, blkno int4) bytea    (the main fork)
 *   get_raw_page(relname text, fork text, blkno int4) bytea
 *   page_header(page bytea) record                   lsn, checksum, flags, lower, upper,
 *                                                    special, pagesize, version, prune_xid
 *   heap_page_items(page bytea) setof record         lp, lp_off, lp_flags, lp_len, t_xmin,
 *                                                    t_xmax, t_field3, t_ctid, t_infomask2,
 *                                                    t_infomask, t_hoff, t_bits, t_oid, t_data
 *   heap_tuple_infomask_flags(t_infomask int4, t_infomask2 int4) record
 *                                                    raw_flags text[], combined_flags text[]
 *   tabgres_query_journey(sql text) json            the last statement's tokens, raw parse
 *                                                    tree, analyzed Query (tree and text)
 *
 * Column names, types and meanings are pageinspect's (page_header's lsn is
 * a pg_lsn, pg_lsn.ts); the functions' OIDs are tabgres's own (99xx: an
 * extension's OIDs are assigned at CREATE EXTENSION in PostgreSQL).
 *
 * get_raw_page reads the block through the buffer manager (ReadBuffer, a
 * share content lock while the 8 kB are copied), so it sees the page as it
 * is in the shared buffer cache, dirty changes included, like PostgreSQL's.
 * The page decoding uses bufpage.ts / itemid.ts / htup_details.ts accessors.
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { SessionFunctionContext, type SessionBackend } from '../../tcop/session.ts';
import { RecordValue } from './rowtypes.ts';
import { ArrayValue } from './array.ts';
import type { Datum } from './datum.ts';
import { BYTEAOID, INT2OID, INT4OID, JSONOID, OIDOID, TEXTARRAYOID, TEXTOID, TIDOID } from './types.ts';
import { BLCKSZ } from '../../constants.ts';
import { pageGetChecksum, pageGetFlags, pageGetLower, pageGetLSN, pageGetMaxOffsetNumber, pageGetPageLayoutVersion, pageGetPageSize, pageGetPrunXid, pageGetSpecial, pageGetUpper } from '../../storage/page/bufpage.ts';
import { itemIdGet, itemIdGetFlags, itemIdGetLength, itemIdGetOffset, LP_NORMAL } from '../../storage/page/itemid.ts';
import * as htup from '../../access/common/htup_details.ts';
import { makeTid } from '../../access/common/itemptr.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { BUFFER_LOCK_SHARE } from '../../storage/buffer/buf_internals.ts';
import { parseQualifiedName } from '../../tcop/session.ts';
import { tokenize } from '../../parser/scan.ts';
import { parse } from '../../parser/gram.ts';
import { parseAnalyze } from '../../parser/analyze.ts';
import { printQuery } from '../../parser/analyze_print.ts';
import { nodeToString } from '../../nodes/outfuncs.ts';
import type { RelationInfo } from '../rel.ts';
import type { IndexRelation } from '../../access/nbtree/indexrel.ts';
import { Anum_pg_index, IndexRelationId } from '../../catalog/schemapg.ts';

const XIDOID = 28;
const PG_LSNOID = 3220;
const RECORDOID = 2249;
/** HEAP_HASOID_OLD: PostgreSQL 11's WITH OIDS bit; pageinspect still names it. */
const HEAP_HASOID_OLD = 0x0008;

export function backendOf(ctx: FunctionCallContext): SessionBackend {
  if (!(ctx instanceof SessionFunctionContext) || ctx.backend === null) {
    throw new PgError(SQLSTATE.feature_not_supported, 'this function needs a database session');
  }
  return ctx.backend;
}

export function outRecord(oid: number, proname: string, argtypes: number[], cols: [string, number][], retset: boolean, impl: (args: unknown[], ctx: FunctionCallContext) => unknown[][], argNames?: string[]): void {
  const types = cols.map(([, t]) => t);
  const base: FunctionInfo = {
    oid, proname, prokind: 'f', proargtypes: argtypes, prorettype: RECORDOID, provariadic: 0, proretset: retset,
    proisstrict: true, provolatile: 'v', pronargdefaults: 0,
    proargnames: [...argtypes.map((_, i) => argNames?.[i] ?? `arg${i + 1}`), ...cols.map(([n]) => n)],
    proallargtypes: [...argtypes, ...types],
    proargmodes: [...argtypes.map(() => 'i'), ...cols.map(() => 'o')],
    impl: retset ? undefined : (args, ctx) => new RecordValue(impl(args, ctx)[0] as Datum[], types),
  } as FunctionInfo;
  if (retset) (base as FunctionInfo).implSet = (args, ctx) => impl(args, ctx).map((r) => new RecordValue(r as Datum[], types));
  registerBuiltin(base);
}

// ---------------------------------------------------------------- get_raw_page

const FORK_NAMES: Record<string, ForkNumber> = { main: ForkNumber.MAIN, fsm: ForkNumber.FSM, vm: ForkNumber.VISIBILITYMAP, init: ForkNumber.INIT };

/**
 * The B-tree handle of index `indexOid`: the relcache keeps index handles
 * on their table's entry, so the table is found through pg_index.
 */
export function indexRelationOf(backend: SessionBackend, indexOid: number): IndexRelation {
  let indrelid = 0;
  backend.catalog.heaps.scan(IndexRelationId, (v) => {
    if (v[Anum_pg_index.indexrelid] === indexOid) indrelid = v[Anum_pg_index.indrelid] as number;
  });
  const ix = indrelid === 0 ? undefined : backend.catalog.getRelation(indrelid).indexes.find((i) => i.indexrelid === indexOid);
  if (ix === undefined) throw new PgError(SQLSTATE.undefined_object, `could not find the table of index ${indexOid}`);
  return ix.index;
}

/** The relation `relname` names (schema-qualified or on the search path), resolved as regclass would. */
export function relationByName(backend: SessionBackend, relname: string): RelationInfo {
  const parts = parseQualifiedName(relname);
  const rel = backend.catalog.relnameGetRelid(parts.length >= 2 ? parts[parts.length - 2] : null, parts[parts.length - 1], false) as number;
  return backend.catalog.getRelation(rel);
}

export function getRawPage(ctx: FunctionCallContext, relname: string, forkname: string, blkno: number): Uint8Array {
  const backend = backendOf(ctx);
  const info = relationByName(backend, relname);
  // A table's storage is its heap handle; an index's is its B-tree handle (same buffer manager, its own files).
  const locator = info.heap !== null ? info.heap.locator : info.relkind === 'i' ? indexRelationOf(backend, info.oid).locator : null;
  if (locator === null) {
    throw new PgError('42809', `cannot get raw page from relation "${info.relname}"`, { detail: `This operation is not supported for ${info.relkind === 'v' ? 'views' : 'this kind of relation'}.` });
  }
  const fork = FORK_NAMES[forkname];
  if (fork === undefined) {
    throw new PgError(SQLSTATE.invalid_parameter_value, 'invalid fork name', { hint: 'Valid fork names are "main", "fsm", "vm", and "init".' });
  }
  if (blkno < 0) throw new PgError(SQLSTATE.invalid_parameter_value, 'invalid block number');
  const bm = backend.engine.bufmgr;
  const nblocks = bm.nblocks(locator, fork);
  if (blkno >= nblocks) {
    throw new PgError(SQLSTATE.invalid_parameter_value, `block number ${blkno} is out of range for relation "${info.relname}"`);
  }
  const buffer = bm.readBuffer(locator, fork, blkno);
  bm.lockBuffer(buffer, BUFFER_LOCK_SHARE);
  try {
    return bm.getPage(buffer).slice(0, BLCKSZ);
  } finally {
    bm.unlockReleaseBuffer(buffer);
  }
}

registerBuiltin({
  oid: 9910, proname: 'get_raw_page', prokind: 'f', proargtypes: [TEXTOID, INT4OID], prorettype: BYTEAOID, provariadic: 0,
  proretset: false, proisstrict: true, provolatile: 'v', pronargdefaults: 0,
  impl: (a, ctx) => getRawPage(ctx, a[0] as string, 'main', a[1] as number),
});
registerBuiltin({
  oid: 9911, proname: 'get_raw_page', prokind: 'f', proargtypes: [TEXTOID, TEXTOID, INT4OID], prorettype: BYTEAOID, provariadic: 0,
  proretset: false, proisstrict: true, provolatile: 'v', pronargdefaults: 0,
  impl: (a, ctx) => getRawPage(ctx, a[0] as string, a[1] as string, a[2] as number),
});

// ---------------------------------------------------------------- page_header

export function checkPage(raw: Uint8Array): Uint8Array {
  if (raw.length !== BLCKSZ) {
    throw new PgError(SQLSTATE.invalid_parameter_value, 'invalid page size', { detail: `Expected ${BLCKSZ} bytes, got ${raw.length}.` });
  }
  return raw;
}

/** int2 the way PostgreSQL casts a uint16 to smallint (checksum, flags). */
const asInt2 = (v: number): number => (v << 16) >> 16;

outRecord(9912, 'page_header', [BYTEAOID], [
  ['lsn', PG_LSNOID], ['checksum', INT2OID], ['flags', INT2OID], ['lower', INT4OID], ['upper', INT4OID],
  ['special', INT4OID], ['pagesize', INT4OID], ['version', INT2OID], ['prune_xid', XIDOID],
], false, (a) => {
  const page = checkPage(a[0] as Uint8Array);
  return [[
    BigInt(pageGetLSN(page)), asInt2(pageGetChecksum(page)), asInt2(pageGetFlags(page)), pageGetLower(page), pageGetUpper(page),
    pageGetSpecial(page), pageGetPageSize(page), pageGetPageLayoutVersion(page), pageGetPrunXid(page),
  ]];
});

// ---------------------------------------------------------------- heap_page_items

outRecord(9913, 'heap_page_items', [BYTEAOID], [
  ['lp', INT2OID], ['lp_off', INT2OID], ['lp_flags', INT2OID], ['lp_len', INT2OID], ['t_xmin', XIDOID], ['t_xmax', XIDOID],
  ['t_field3', INT4OID], ['t_ctid', TIDOID], ['t_infomask2', INT4OID], ['t_infomask', INT4OID], ['t_hoff', INT2OID],
  ['t_bits', TEXTOID], ['t_oid', OIDOID], ['t_data', BYTEAOID],
], true, (a) => {
  const page = checkPage(a[0] as Uint8Array);
  const rows: unknown[][] = [];
  const maxoff = pageGetMaxOffsetNumber(page);
  for (let off = 1; off <= maxoff; off++) {
    const lp = itemIdGet(page, off);
    const lpOff = itemIdGetOffset(lp);
    const lpFlags = itemIdGetFlags(lp);
    const lpLen = itemIdGetLength(lp);
    const row: unknown[] = [off, lpOff, lpFlags, lpLen, null, null, null, null, null, null, null, null, null, null];
    // As pageinspect: decode a tuple only when the line pointer points at one that fits on the page.
    if (lpFlags === LP_NORMAL && lpLen >= htup.SIZEOF_HEAP_TUPLE_HEADER && lpOff + lpLen <= BLCKSZ) {
      const t = lpOff;
      const infomask = htup.htupGetInfomask(page, t);
      const infomask2 = htup.htupGetInfomask2(page, t);
      const hoff = htup.htupGetHoff(page, t);
      let bits: string | null = null;
      if ((infomask & htup.HEAP_HASNULL) !== 0) {
        const natts = infomask2 & htup.HEAP_NATTS_MASK;
        bits = '';
        for (let i = 0; i < natts; i++) bits += (page[t + htup.T_BITS + (i >> 3)] >> (i & 7)) & 1 ? '1' : '0';
      }
      row[4] = htup.htupGetXmin(page, t);
      row[5] = htup.htupGetXmax(page, t);
      row[6] = htup.htupGetCid(page, t) | 0;
      row[7] = makeTid(htup.htupGetCtidBlock(page, t), htup.htupGetCtidOffset(page, t));
      row[8] = infomask2;
      row[9] = infomask;
      row[10] = hoff;
      row[11] = bits;
      row[13] = page.slice(t + hoff, t + lpLen);
    }
    rows.push(row);
  }
  return rows;
});

// ---------------------------------------------------------------- heap_tuple_infomask_flags

const INFOMASK_NAMES: [number, string][] = [
  [htup.HEAP_HASNULL, 'HEAP_HASNULL'], [htup.HEAP_HASVARWIDTH, 'HEAP_HASVARWIDTH'], [htup.HEAP_HASEXTERNAL, 'HEAP_HASEXTERNAL'],
  [HEAP_HASOID_OLD, 'HEAP_HASOID_OLD'], [htup.HEAP_XMAX_KEYSHR_LOCK, 'HEAP_XMAX_KEYSHR_LOCK'], [htup.HEAP_COMBOCID, 'HEAP_COMBOCID'],
  [htup.HEAP_XMAX_EXCL_LOCK, 'HEAP_XMAX_EXCL_LOCK'], [htup.HEAP_XMAX_LOCK_ONLY, 'HEAP_XMAX_LOCK_ONLY'],
  [htup.HEAP_XMIN_COMMITTED, 'HEAP_XMIN_COMMITTED'], [htup.HEAP_XMIN_INVALID, 'HEAP_XMIN_INVALID'],
  [htup.HEAP_XMAX_COMMITTED, 'HEAP_XMAX_COMMITTED'], [htup.HEAP_XMAX_INVALID, 'HEAP_XMAX_INVALID'],
  [htup.HEAP_XMAX_IS_MULTI, 'HEAP_XMAX_IS_MULTI'], [htup.HEAP_UPDATED, 'HEAP_UPDATED'],
  [0x4000, 'HEAP_MOVED_OFF'], [0x8000, 'HEAP_MOVED_IN'],
];
const INFOMASK2_NAMES: [number, string][] = [
  [htup.HEAP_KEYS_UPDATED, 'HEAP_KEYS_UPDATED'], [htup.HEAP_HOT_UPDATED, 'HEAP_HOT_UPDATED'], [htup.HEAP_ONLY_TUPLE, 'HEAP_ONLY_TUPLE'],
];

/** heap_tuple_infomask_flags's two arrays: every bit set by name, and the multi-bit states they make together. */
export function infomaskFlags(infomask: number, infomask2: number, decodeCombined = true): { raw: string[]; combined: string[] } {
  const raw: string[] = [];
  for (const [bit, name] of INFOMASK_NAMES) if ((infomask & bit) !== 0) raw.push(name);
  for (const [bit, name] of INFOMASK2_NAMES) if ((infomask2 & bit) !== 0) raw.push(name);
  const combined: string[] = [];
  if (decodeCombined) {
    if ((infomask & htup.HEAP_XMAX_SHR_LOCK) === htup.HEAP_XMAX_SHR_LOCK) combined.push('HEAP_XMAX_SHR_LOCK');
    if ((infomask & htup.HEAP_XMIN_FROZEN) === htup.HEAP_XMIN_FROZEN) combined.push('HEAP_XMIN_FROZEN');
    if ((infomask & 0xc000) === 0xc000) combined.push('HEAP_MOVED');
  }
  return { raw, combined };
}

const textArray = (a: string[]): ArrayValue => new ArrayValue(TEXTOID, a.length === 0 ? [] : [a.length], a.length === 0 ? [] : [1], a);

outRecord(9914, 'heap_tuple_infomask_flags', [INT4OID, INT4OID], [['raw_flags', TEXTARRAYOID], ['combined_flags', TEXTARRAYOID]], false, (a) => {
  const f = infomaskFlags(a[0] as number, a[1] as number);
  return [[textArray(f.raw), textArray(f.combined)]];
});

// ---------------------------------------------------------------- tabgres_query_journey

/**
 * The journey of one statement (the last of `sql`) up to the planner:
 * scan.ts's tokens, gram.ts's raw parse tree, analyze.ts's Query (the
 * exact tree as outfuncs.ts writes it, and analyze_print.ts's readable
 * text). Analysis runs in this backend (it needs the catalogs) inside the
 * caller's transaction, so it sees what the session sees. The plan is
 * EXPLAIN's (FORMAT JSON) job.
 */
registerBuiltin({
  oid: 9915, proname: 'tabgres_query_journey', prokind: 'f', proargtypes: [TEXTOID], prorettype: JSONOID, provariadic: 0,
  proretset: false, proisstrict: true, provolatile: 'v', pronargdefaults: 0,
  impl: (a, ctx) => {
    const backend = backendOf(ctx);
    const sql = a[0] as string;
    const stmts = parse(sql);
    if (stmts.length === 0) throw new PgError(SQLSTATE.invalid_parameter_value, 'no statement to analyze');
    const raw = stmts[stmts.length - 1];
    const start = raw.stmt_location ?? 0;
    const len = raw.stmt_len ?? 0;
    const text = len > 0 ? sql.slice(start, start + len) : sql.slice(start);
    const tokens = tokenize(text).filter((t) => t.kind !== 'EOF').map((t) => ({ kind: t.kind, value: t.value, text: text.slice(t.start, t.end), start: t.start, end: t.end }));
    const query = parseAnalyze(raw, { catalog: backend.catalog, sourceText: sql, paramTypes: [] });
    return JSON.stringify({
      statement: text,
      tokens,
      raw: JSON.parse(nodeToString(raw.stmt)),
      query: JSON.parse(nodeToString(query)),
      queryText: printQuery(query),
    });
  },
});
