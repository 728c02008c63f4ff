/*
 * snapshot_view.ts — snapshots and visibility: for each session, its
 * transaction's isolation level, its XID (if it has one) and its snapshot
 * (xmin:xmax:xip); for a chosen table, every tuple version (ctid, xmin,
 * xmax) with one column per session saying whether that session's snapshot
 * sees it, and why ("xmin 742 in progress when the snapshot was taken",
 * "xmin 740 committed, xmax 742 committed", ...).
 *
 * The page decides nothing: each session's row is asked on that session's
 * own backend (SessionPanel.queryOnBackend), inside its transaction, so the
 * answer is its real snapshot's: pg_current_snapshot(),
 * txid_current_if_assigned(), current_setting('transaction_isolation') and
 * tabgres_tuple_visibility(table), which runs the engine's
 * HeapTupleSatisfiesMVCC for every version with that backend's active
 * snapshot (engine utils/adt/snapshotfuncs.ts). The view only lines the
 * answers up by ctid.
 *
 * Refreshed on demand (Refresh, or showing the view), not on a timer:
 * asking is a statement in the session's transaction, and in REPEATABLE
 * READ the first statement takes the transaction's snapshot — a timer would
 * take it for the user. A session that has no backend yet, runs a
 * statement, or is in an aborted transaction is shown as such and not
 * asked. The table is checked on a free backend first, so a misspelled name
 * cannot abort a session's transaction.
 */

import type { SessionPanel } from './session_panel.ts';

const SNAPSHOT_SQL = `SELECT pg_current_snapshot()::text AS snapshot, txid_current_if_assigned()::text AS xid,
       current_setting('transaction_isolation') AS isolation, pg_backend_pid() AS pid`;
const VISIBILITY_SQL = 'SELECT ctid::text AS ctid, xmin::text AS xmin, xmax::text AS xmax, visible, reason FROM tabgres_tuple_visibility($1)';
const TABLE_SQL = `SELECT c.relkind::text AS relkind FROM pg_class c
  WHERE c.relname = $1 AND pg_table_is_visible(c.oid)`;

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

interface SessionAnswer {
  session: SessionPanel;
  /** Why it was not asked, or the error it gave. */
  note: string | null;
  snapshot?: Record<string, unknown>;
  visibility?: Map<string, Version>;
}

/** One tuple version as one session's tabgres_tuple_visibility row gives it. */
interface Version {
  xmin: string;
  xmax: string;
  visible: boolean;
  reason: string;
}

/** ctid text "(3,12)" to a sort key. */
function ctidKey(ctid: string): number {
  const m = /^\((\d+),(\d+)\)$/.exec(ctid);
  return m === null ? 0 : Number(m[1]) * 65536 + Number(m[2]);
}

export class SnapshotView {
  readonly element: HTMLElement;
  readonly table: HTMLInputElement;
  private readonly content: HTMLElement;
  private inflight = false;

  constructor(private readonly sessions: () => SessionPanel[], private readonly query: Query) {
    this.element = el('div', 'snapshot-view');
    const bar = el('div', 'bar');
    this.table = el('input', 'table');
    this.table.placeholder = 'table';
    this.table.value = 'accounts';
    const go = el('button', 'refresh', 'Refresh');
    go.addEventListener('click', () => void this.refresh());
    this.table.addEventListener('keydown', (e) => { if (e.key === 'Enter') void this.refresh(); });
    bar.append(el('span', undefined, 'table'), this.table, go,
      el('span', 'hint', 'asked in each session\'s own transaction; in REPEATABLE READ that takes its snapshot'));
    this.content = el('div', 'snapshot-content');
    this.content.append(el('p', 'none', 'Refresh asks every session for its snapshot and which versions of the table it sees.'));
    this.element.append(bar, this.content);
  }

  async refresh(): Promise<void> {
    if (this.inflight) return;
    const rel = this.table.value.trim();
    this.inflight = true;
    try {
      let tableNote: string | null = null;
      if (rel !== '') {
        const r = (await this.query(TABLE_SQL, [rel])).rows[0];
        if (r === undefined) tableNote = `no committed table "${rel}" on the search path`;
        else if (r.relkind !== 'r') tableNote = `"${rel}" is not a table`;
      }
      const answers: SessionAnswer[] = [];
      for (const s of this.sessions()) answers.push(await this.ask(s, rel !== '' && tableNote === null ? rel : null));
      this.render(rel, tableNote, answers);
    } catch (e) {
      this.content.replaceChildren(el('p', 'error', `ERROR: ${(e as Error).message}`));
    } finally {
      this.inflight = false;
    }
  }

  private async ask(session: SessionPanel, rel: string | null): Promise<SessionAnswer> {
    if (session.pid === null) return { session, note: 'no backend yet (Run something first)' };
    if (session.isRunning) return { session, note: 'running a statement' };
    // The session panel's transaction state from shared memory (idle / in transaction / aborted).
    if (session.element.dataset.tx === 'aborted') return { session, note: 'in an aborted transaction (ROLLBACK first)' };
    try {
      const snapshot = (await session.queryOnBackend(SNAPSHOT_SQL)).rows[0] as Record<string, unknown>;
      let visibility: SessionAnswer['visibility'];
      if (rel !== null) {
        visibility = new Map();
        for (const r of (await session.queryOnBackend(VISIBILITY_SQL, [rel])).rows as Record<string, unknown>[]) {
          visibility.set(String(r.ctid), { xmin: String(r.xmin), xmax: String(r.xmax), visible: r.visible === true, reason: String(r.reason) });
        }
      }
      return { session, note: null, snapshot, visibility };
    } catch (e) {
      const o = e as { code?: string; message?: string };
      return { session, note: `ERROR: ${o.code ?? ''} ${o.message ?? String(e)}` };
    }
  }

  private render(rel: string, tableNote: string | null, answers: SessionAnswer[]): void {
    const snaps = el('table', 'snapshots');
    const sh = snaps.createTHead().insertRow();
    for (const c of ['session', 'pid', 'isolation', 'xid', 'snapshot (xmin:xmax:xip)']) sh.append(el('th', undefined, c));
    const sb = snaps.createTBody();
    for (const a of answers) {
      const tr = sb.insertRow();
      tr.dataset.session = String(a.session.index);
      tr.insertCell().textContent = `session ${a.session.index}`;
      if (a.snapshot === undefined) {
        const td = tr.insertCell();
        td.colSpan = 4;
        td.className = 'none';
        td.textContent = a.note ?? '';
        continue;
      }
      tr.insertCell().textContent = String(a.snapshot.pid);
      tr.insertCell().textContent = String(a.snapshot.isolation);
      const xid = tr.insertCell();
      xid.dataset.col = 'xid';
      if (a.snapshot.xid === null) {
        xid.className = 'null';
        xid.title = 'no XID yet: assigned at the first write';
      } else xid.textContent = String(a.snapshot.xid);
      const snap = tr.insertCell();
      snap.dataset.col = 'snapshot';
      snap.textContent = String(a.snapshot.snapshot);
    }

    const parts: HTMLElement[] = [el('h4', undefined, 'snapshots'), snaps];
    if (rel !== '') {
      parts.push(el('h4', undefined, `versions of "${rel}" and who sees them`));
      if (tableNote !== null) {
        parts.push(el('p', 'none', tableNote));
      } else {
        const asked = answers.filter((a) => a.visibility !== undefined);
        // Every session lists every version (each LP_NORMAL line pointer); take the union, in ctid order.
        const versions = new Map<string, Version>();
        for (const a of asked) for (const [ctid, v] of a.visibility as Map<string, Version>) if (!versions.has(ctid)) versions.set(ctid, v);
        const t = el('table', 'visibility');
        const hr = t.createTHead().insertRow();
        for (const c of ['ctid', 'xmin', 'xmax', ...asked.map((a) => `session ${a.session.index}`)]) hr.append(el('th', undefined, c));
        const body = t.createTBody();
        for (const ctid of [...versions.keys()].sort((x, y) => ctidKey(x) - ctidKey(y))) {
          const first = versions.get(ctid) as Version;
          const tr = body.insertRow();
          tr.dataset.ctid = ctid;
          tr.insertCell().textContent = ctid;
          tr.insertCell().textContent = first.xmin;
          tr.insertCell().textContent = first.xmax;
          for (const a of asked) {
            const v = (a.visibility as Map<string, Version>).get(ctid);
            const td = tr.insertCell();
            td.dataset.session = String(a.session.index);
            if (v === undefined) {
              // Pruned or inserted between two sessions' answers.
              td.className = 'none';
              td.textContent = 'not on the page when asked';
              continue;
            }
            td.className = v.visible ? 'visible' : 'invisible';
            td.dataset.visible = String(v.visible);
            td.textContent = `${v.visible ? '✓ visible' : '✗ invisible'}: ${v.reason}`;
          }
        }
        parts.push(asked.length === 0 ? el('p', 'none', 'no session could be asked') : t);
      }
    }
    this.content.replaceChildren(...parts);
  }

}
