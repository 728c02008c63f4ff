/*
 * truncate.ts — TRUNCATE (PostgreSQL's ExecuteTruncate in
 * commands/tablecmds.c).
 *
 * Exports: ExecuteTruncate(TruncateStmt, ctx): number
 *
 * Foreign keys: a table referenced by a foreign key of a table not being
 * truncated is refused (0A000, as PostgreSQL's heap_truncate_check_FKs)
 * unless CASCADE, which adds the referencing tables (NOTICE "truncate
 * cascades to table ..."), repeatedly, until the set is closed.
 *
 * Storage — where this differs from PostgreSQL: PostgreSQL gives each table
 * (and index) a new, empty relfilenode and drops the old one at commit, so
 * TRUNCATE is O(1) and rolls back by keeping the old file. The storage
 * engine has no relfilenode swap, so this deletes every row under the
 * statement (engine.delete; the indexes' entries go with VACUUM). It is
 * transactional like PostgreSQL's but costs a full scan; VACUUM reclaims
 * the space. RESTART IDENTITY resets the owned sequences, which (as all
 * sequence changes here) is not undone by a rollback, unlike PostgreSQL.
 */

import type { TruncateStmt } from '../parser/nodes.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { PgError } from '../utils/errors.ts';
import { cursorsOf, referencingForeignKeys } from '../utils/adt/ri_triggers.ts';
import { ERRCODE } from './errcodes.ts';
import { restartSequence } from './sequence.ts';
import type { UtilityContext } from './utility_context.ts';

/** TRUNCATE [TABLE] t [, ...] [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]. Returns the number of tables truncated. */
export function ExecuteTruncate(stmt: TruncateStmt, ctx: UtilityContext): number {
  const rels: RelationInfo[] = [];
  for (const rv of stmt.relations) {
    const relid = ctx.catalog.relnameGetRelid(rv.schemaname, rv.relname, false)!;
    const rel = ctx.catalog.getRelation(relid);
    if (rel.relkind !== 'r') {
      throw new PgError(ERRCODE.wrong_object_type, `"${rel.relname}" is not a table`);
    }
    if (rel.relnamespace === 11) throw new PgError('42501', `permission denied: "${rel.relname}" is a system catalog`);
    if (!rels.some((r) => r.oid === relid)) rels.push(rel);
  }

  // heap_truncate_find_FKs / heap_truncate_check_FKs.
  for (let i = 0; i < rels.length; i++) {
    for (const fk of referencingForeignKeys(ctx.catalog, rels[i])) {
      if (rels.some((r) => r.oid === fk.conrelid)) continue;
      const child = ctx.catalog.getRelation(fk.conrelid);
      if (stmt.behavior === 'DROP_CASCADE') {
        ctx.notice(`truncate cascades to table "${child.relname}"`);
        rels.push(child);
        continue;
      }
      throw new PgError(ERRCODE.feature_not_supported, 'cannot truncate a table referenced in a foreign key constraint', {
        detail: `Table "${child.relname}" references "${rels[i].relname}".`,
        hint: `Truncate table "${child.relname}" at the same time, or use TRUNCATE ... CASCADE.`,
      });
    }
  }

  for (const rel of rels) {
    if (rel.heap === null) continue;
    const tids: number[] = [];
    const cur = cursorsOf(ctx.engine).beginScan(rel.heap);
    try {
      while (cur.next()) tids.push(cur.tid);
    } finally {
      cur.end();
    }
    for (const tid of tids) ctx.engine.delete(rel.heap, tid);
  }

  if (stmt.restart_seqs) {
    for (const rel of rels) {
      for (const a of rel.attrs) {
        if (a.attisdropped) continue;
        const seq = ctx.catalog.getOwnedSequence(rel.oid, a.attnum);
        if (seq !== 0) restartSequence(ctx, seq);
      }
    }
  }
  return rels.length;
}
