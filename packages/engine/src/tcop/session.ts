/*
 * session.ts — the FunctionCallContext of one backend (utils/fmgr/
 * fmgrtypes.ts): what a running SQL function may ask of its session. The
 * timestamps now() and statement_timestamp() read, current_setting /
 * set_config over guc, the sequence functions (commands/sequence.ts's
 * SequenceSession), regclass input and output through the catalog, and
 * pg_backend_pid().
 *
 * Exports: SessionFunctionContext, currentTimestampMicros(),
 *          parseQualifiedName(text).
 */

import type { StorageEngine } from '../engine.ts';
import type { CatalogAccess } from '../utils/rel.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import type { Guc } from '../utils/misc/guc.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { BackendStats, Notice } from './dest.ts';
import type { TableStatsMap } from './pgstat.ts';
import { SequenceSession } from '../commands/sequence.ts';
import { quoteIdentifier } from '../parser/deparse.ts';
import { PgError } from '../utils/errors.ts';

/** Microseconds from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch). */
const POSTGRES_EPOCH_US = 946_684_800_000_000n;
/** The process's time origin (ms since 1970); constant for the process, so read once. */
const TIME_ORIGIN_MS = performance.timeOrigin;

/** The current time as a timestamptz Datum (µs since 2000-01-01 UTC), with sub-millisecond digits. */
export function currentTimestampMicros(): bigint {
  const us = Math.round((TIME_ORIGIN_MS + performance.now()) * 1000);
  return BigInt(us) - POSTGRES_EPOCH_US;
}

/**
 * A possibly qualified, possibly quoted name ('public.t', '"My T"') split
 * into its parts, unquoted parts folded to lower case (stringToQualifiedNameList).
 */
export function parseQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  for (;;) {
    let part = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new PgError('42602', 'invalid name syntax');
        if (s[i] === '"') {
          if (s[i + 1] === '"') { part += '"'; i += 2; continue; }
          i++;
          break;
        }
        part += s[i++];
      }
    } else {
      while (i < s.length && s[i] !== '.') part += s[i++];
      part = part.trim().toLowerCase();
      if (part === '') throw new PgError('42602', 'invalid name syntax');
    }
    parts.push(part);
    while (s[i] === ' ') i++;
    if (i >= s.length) break;
    if (s[i] !== '.') throw new PgError('42602', 'invalid name syntax');
    i++;
  }
  return parts;
}

/** What the monitoring functions (utils/adt/pgstatfuncs.ts) read of the backend (tcop/postgres.ts). */
export interface SessionBackend {
  readonly engine: StorageEngine;
  readonly catalog: Catalog;
  readonly guc: Guc;
  readonly stats: BackendStats;
  readonly tableStats: TableStatsMap;
  /** Runs an internal SELECT inside the current statement; rows as Datums. */
  executePlanForSql(sql: string): unknown[][];
  /** CHECK_FOR_INTERRUPTS (cancel, terminate, statement_timeout): throws when one is pending. */
  checkForInterrupts(): void;
  /** A NOTICE or WARNING of the running statement. */
  notice(n: Notice): void;
}

export class SessionFunctionContext implements FunctionCallContext {
  /** The backend this context belongs to; set by PostgresBackend's constructor. */
  backend: SessionBackend | null = null;
  xactStart = 0n;
  stmtStart = 0n;
  readonly sequences: SequenceSession;

  constructor(
    engine: StorageEngine,
    private readonly catalog: CatalogAccess,
    private readonly guc: Guc,
    private readonly pid: number,
  ) {
    this.sequences = new SequenceSession(engine, catalog);
  }

  transactionTimestamp(): bigint {
    return this.xactStart;
  }

  statementTimestamp(): bigint {
    return this.stmtStart;
  }

  getSetting(name: string, missingOk: boolean): string | null {
    return this.guc.showOrNull(name, missingOk);
  }

  setSetting(name: string, value: string, isLocal: boolean): void {
    this.guc.set(name, value, { isLocal });
  }

  nextval(seqOid: number): bigint {
    return this.sequences.nextval(seqOid);
  }

  currval(seqOid: number): bigint {
    return this.sequences.currval(seqOid);
  }

  setval(seqOid: number, value: bigint, isCalled: boolean): bigint {
    return this.sequences.setval(seqOid, value, isCalled);
  }

  lastval(): bigint {
    return this.sequences.lastval();
  }

  regclassIn(name: string): number {
    const parts = parseQualifiedName(name);
    if (parts.length > 3) throw new PgError('42602', `improper relation name (too many dotted names): ${name}`);
    const relname = parts[parts.length - 1];
    const schema = parts.length >= 2 ? parts[parts.length - 2] : null;
    return this.catalog.relnameGetRelid(schema, relname, false) as number;
  }

  regclassOut(oid: number): string {
    let rel;
    try {
      rel = this.catalog.getRelation(oid);
    } catch {
      return String(oid);
    }
    // RelationIsVisible: unqualified when the search path finds this very relation by its name.
    const visible = this.catalog.relnameGetRelid(null, rel.relname, true) === oid;
    return visible ? quoteIdentifier(rel.relname) : `${quoteIdentifier(rel.nspname)}.${quoteIdentifier(rel.relname)}`;
  }

  backendPid(): number {
    return this.pid;
  }
}
