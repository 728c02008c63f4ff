/*
 * locks_view.ts — the lock table and who blocks whom: pg_locks as a table
 * and pg_blocking_pids of every waiting backend, asked with SQL through
 * window.tabgres.query (any free backend; the sessions' pinned backends are
 * not free, so the page starts one backend more than it has sessions).
 *
 * One query at a time (the next refresh is skipped while one is out), and
 * only while the view is shown: a query takes a backend, and a user who
 * started as many sessions as backends would otherwise wait for the view.
 * The wait-for graph (wait_for_graph.ts) is drawn above the table from the
 * same refresh, after the table's query.
 */

import { WaitForGraphView } from './wait_for_graph.ts';

const LOCKS_SQL = `SELECT l.pid, l.locktype, l.mode, l.granted,
       CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END AS relation,
       l.page, l.tuple, l.virtualxid, l.transactionid::text AS transactionid,
       CASE WHEN NOT l.granted THEN pg_blocking_pids(l.pid) END AS blocked_by
  FROM pg_locks l
 WHERE l.pid <> pg_backend_pid()
 ORDER BY l.pid, l.granted DESC, l.locktype, l.mode`;

const COLUMNS = ['pid', 'locktype', 'mode', 'granted', 'relation', 'page', 'tuple', 'virtualxid', 'transactionid', 'blocked_by'];

type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

export class LocksView {
  readonly element: HTMLElement;
  private readonly waits: HTMLElement;
  private readonly table: HTMLTableElement;
  readonly graph: WaitForGraphView;
  private inflight = false;

  constructor(private readonly query: Query) {
    this.element = document.createElement('div');
    this.element.className = 'locks';
    this.waits = document.createElement('div');
    this.waits.className = 'waits';
    this.table = document.createElement('table');
    this.graph = new WaitForGraphView(query);
    this.element.append(this.graph.element, this.waits, this.table);
  }

  /** One refresh; skipped while the previous one runs. */
  async refresh(): Promise<void> {
    if (this.inflight) return;
    this.inflight = true;
    try {
      const { rows } = await this.query(LOCKS_SQL);
      this.render(rows);
      await this.graph.refresh();
    } catch (e) {
      this.waits.textContent = `could not read pg_locks: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.inflight = false;
    }
  }

  private render(rows: Record<string, unknown>[]): void {
    const edges = new Map<number, number[]>();
    for (const r of rows) {
      if (r.granted === false && Array.isArray(r.blocked_by)) edges.set(Number(r.pid), (r.blocked_by as unknown[]).map(Number));
    }
    if (edges.size === 0) {
      this.waits.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'no backend waits for a lock', className: 'none' }));
    } else {
      const list = document.createElement('ul');
      for (const [waiter, blockers] of edges) {
        const li = document.createElement('li');
        li.className = 'wait-edge';
        li.textContent = `pid ${waiter} waits for pid ${blockers.join(', pid ')}`;
        list.append(li);
      }
      this.waits.replaceChildren(list);
    }
    const head = document.createElement('thead');
    const hr = head.insertRow();
    for (const c of COLUMNS) hr.append(Object.assign(document.createElement('th'), { textContent: c }));
    const body = document.createElement('tbody');
    for (const r of rows) {
      const tr = body.insertRow();
      if (r.granted === false) tr.className = 'not-granted';
      for (const c of COLUMNS) {
        const v = r[c];
        const td = tr.insertCell();
        if (v === null || v === undefined) {
          td.className = 'null';
          td.textContent = 'NULL';
        } else {
          td.textContent = Array.isArray(v) ? `{${v.join(',')}}` : String(v);
        }
      }
    }
    this.table.replaceChildren(head, body);
  }
}
