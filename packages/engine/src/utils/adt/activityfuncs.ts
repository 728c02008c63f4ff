/*
 * activityfuncs.ts — pg_stat_get_activity, the function behind the view
 * pg_stat_activity (PostgreSQL's pgstatfuncs.c), with PostgreSQL 18's OID
 * and output columns, registered with fmgrtab's registerBuiltin at module
 * load (before initdb writes pg_proc).
 *
 * Exports: nothing but the registration; database.ts imports this module
 * for its effect.
 *
 * A row per backend that published its status (storage/ipc/
 * backend_status.ts: state, query, timestamps) and still has its
 * proc-array slot (pid, database, backend_xid, backend_xmin); a backend
 * waiting for a heavyweight lock shows wait_event_type 'Lock' and the
 * lock's type as wait_event ('relation', 'transactionid', 'advisory', ...),
 * read from the lock table. Not tracked: client address, host and port
 * (NULL: every session is local), SSL and GSSAPI (false / NULL), query_id
 * (NULL), leader_pid (NULL: no parallel query), and LWLock or I/O wait
 * events. client_addr is text, not inet: tabgres has no inet type yet.
 * Auxiliary processes (checkpointer, background writer, walwriter,
 * autovacuum launcher) publish usesysid 0 and show datid NULL, as in
 * PostgreSQL (their proc-array entry names the one database).
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { SessionFunctionContext, type SessionBackend } from '../../tcop/session.ts';
import { RecordValue } from './rowtypes.ts';
import { readBackendStatuses } from '../../storage/ipc/backend_status.ts';
import { lockTagTypeName } from '../../storage/lmgr/lockdefs.ts';

const BOOLOID = 16;
const INT4OID = 23;
const INT8OID = 20;
const TEXTOID = 25;
const OIDOID = 26;
const XIDOID = 28;
const NUMERICOID = 1700;
const TIMESTAMPTZOID = 1184;
const RECORDOID = 2249;

const ACTIVITY_COLUMNS: [string, number][] = [
  ['datid', OIDOID], ['pid', INT4OID], ['usesysid', OIDOID], ['application_name', TEXTOID], ['state', TEXTOID],
  ['query', TEXTOID], ['wait_event_type', TEXTOID], ['wait_event', TEXTOID], ['xact_start', TIMESTAMPTZOID],
  ['query_start', TIMESTAMPTZOID], ['backend_start', TIMESTAMPTZOID], ['state_change', TIMESTAMPTZOID],
  ['client_addr', TEXTOID], ['client_hostname', TEXTOID], ['client_port', INT4OID], ['backend_xid', XIDOID],
  ['backend_xmin', XIDOID], ['backend_type', TEXTOID], ['ssl', BOOLOID], ['sslversion', TEXTOID], ['sslcipher', TEXTOID],
  ['sslbits', INT4OID], ['ssl_client_dn', TEXTOID], ['ssl_client_serial', NUMERICOID], ['ssl_issuer_dn', TEXTOID],
  ['gss_auth', BOOLOID], ['gss_princ', TEXTOID], ['gss_enc', BOOLOID], ['gss_delegation', BOOLOID], ['leader_pid', INT4OID],
  ['query_id', INT8OID],
];
const ACTIVITY_TYPES = ACTIVITY_COLUMNS.map(([, t]) => t);

function backendOf(ctx: FunctionCallContext): SessionBackend {
  if (!(ctx instanceof SessionFunctionContext) || ctx.backend === null) {
    throw new PgError(SQLSTATE.feature_not_supported, 'this function needs a database session');
  }
  return ctx.backend;
}

registerBuiltin({
  oid: 2022, proname: 'pg_stat_get_activity', prokind: 'f', proargtypes: [INT4OID], prorettype: RECORDOID, provariadic: 0,
  proretset: true, proisstrict: false, provolatile: 's', pronargdefaults: 0,
  proargnames: ['pid', ...ACTIVITY_COLUMNS.map(([n]) => n)],
  proallargtypes: [INT4OID, ...ACTIVITY_TYPES],
  proargmodes: ['i', ...ACTIVITY_COLUMNS.map(() => 'o')],
  implSet: (args, ctx) => {
    const engine = backendOf(ctx).engine;
    const onlyPid = args[0] === null || args[0] === undefined ? null : (args[0] as number);
    const procs = new Map(engine.transam.procArray.describe().map((p) => [p.procno, p]));
    // What each waiting backend waits for (wait_event 'Lock'), from the lock table.
    const waits = new Map<number, string>();
    for (const r of engine.lockManager.getLockStatusData()) if (!r.granted) waits.set(r.procno, lockTagTypeName(r.type));
    const out: RecordValue[] = [];
    for (const st of readBackendStatuses(engine.shmem)) {
      const p = procs.get(st.procno);
      if (p === undefined) continue; // the backend has exited (backend_status.ts rule 3)
      if (onlyPid !== null && p.pid !== onlyPid) continue;
      const wait = waits.get(st.procno) ?? null;
      out.push(new RecordValue([
        p.databaseOid === 0 || st.backendType !== 'client backend' ? null : p.databaseOid, p.pid, st.usesysid === 0 ? null : st.usesysid, st.applicationName, st.state, st.query,
        wait === null ? null : 'Lock', wait, st.xactStart, st.queryStart, st.backendStart, st.stateChange,
        null, null, null, p.xid === 0 ? null : p.xid, p.xmin === 0 ? null : p.xmin, st.backendType,
        false, null, null, null, null, null, null, false, null, false, false, null, null,
      ], ACTIVITY_TYPES));
    }
    return out;
  },
});
