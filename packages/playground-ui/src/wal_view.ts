/*
 * wal_view.ts — the WAL stream: the newest WAL records, one row each, as
 * pg_walinspect of PostgreSQL 15 lists them (start_lsn, xid, resource
 * manager, record type, lengths, description, block references), growing
 * live while sessions run statements.
 *
 * Asked with SQL on a free backend (window.tabgres.query): the engine's
 * pg_current_wal_flush_lsn() and pg_get_wal_records_info_till_end_of_wal()
 * (engine utils/adt/walfuncs.ts), which read the WAL files up to the flush
 * position; a record still only in the WAL buffers shows once a commit (or
 * the WAL writer) flushes it, as in PostgreSQL. The page keeps where it
 * stopped (the last record's end_lsn) and asks only for what came after.
 * The first read starts a few pages before the flush position (the engine
 * finds the first record from there, XLogFindNextRecord); if that part of
 * the WAL is gone (recycled by a checkpoint), it starts at the flush
 * position's page.
 *
 * A block reference is a link: it resolves the relfilenode through pg_class
 * and opens the page in the page inspector (a table) or the B-tree view (an
 * index), through the callback main.ts gives.
 */

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
export type OpenBlock = (relname: string, relkind: string, block: number) => void;

const FLUSH_SQL = 'SELECT pg_current_wal_flush_lsn()::text AS flush';
const RECORDS_SQL = `SELECT start_lsn::text AS start_lsn, end_lsn::text AS end_lsn, xid::text AS xid, resource_manager,
       record_type, record_length, main_data_length, fpi_length, description, block_ref
  FROM pg_get_wal_records_info_till_end_of_wal($1::pg_lsn)`;
const RELATION_SQL = `SELECT c.oid::regclass::text AS name, c.relkind::text AS relkind
  FROM pg_class c WHERE c.relfilenode = $1::oid AND c.relfilenode <> 0 LIMIT 1`;

/** How many records the view keeps (the newest). */
const KEEP = 200;
/** How far before the flush position the first read starts. */
const FIRST_READ_BACK = 4 * 8192;

const COLUMNS = ['start_lsn', 'xid', 'resource_manager', 'record_type', 'record_length', 'fpi_length', 'description', 'block_ref'];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** pg_lsn text ("1/2A3B") to a number of bytes. */
export function lsnValue(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
}

function lsnText(v: bigint): string {
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** One block reference of block_ref: "blkref #0: rel 1663/5/16384 fork main blk 3 ...". */
const BLKREF = /blkref #(\d+): rel (\d+)\/(\d+)\/(\d+) fork (\w+) blk (\d+)/g;

export class WalView {
  readonly element: HTMLElement;
  readonly live: HTMLInputElement;
  private readonly summary: HTMLElement;
  private readonly table: HTMLTableElement;
  private records: Record<string, unknown>[] = [];
  /** Where the next read starts: the end of the last record shown. */
  private next: bigint | null = null;
  private inflight = false;
  /** Records read so far (all, not only the kept ones). */
  total = 0;

  constructor(private readonly query: Query, private readonly openBlock: OpenBlock) {
    this.element = el('div', 'wal-stream');
    const bar = el('div', 'bar');
    const liveLabel = el('label');
    this.live = el('input');
    this.live.type = 'checkbox';
    this.live.checked = true;
    liveLabel.append(this.live, ' live');
    const now = el('button', 'refresh', 'Refresh');
    now.addEventListener('click', () => void this.refresh());
    const clear = el('button', 'clear', 'Clear');
    clear.addEventListener('click', () => {
      this.records = [];
      this.render();
    });
    this.summary = el('span', 'summary');
    bar.append(now, liveLabel, clear, this.summary);
    this.table = el('table', 'wal-records');
    const scroll = el('div', 'wal-scroll');
    scroll.append(this.table);
    this.element.append(bar, scroll);
    this.render();
  }

  /** Reads the records flushed since the last read; skipped while one runs. */
  async refresh(): Promise<void> {
    if (this.inflight) return;
    this.inflight = true;
    try {
      const flush = lsnValue(String((await this.query(FLUSH_SQL)).rows[0].flush));
      let start = this.next ?? (flush > BigInt(FIRST_READ_BACK) ? flush - BigInt(FIRST_READ_BACK) : 0n);
      if (start >= flush) return;
      let rows: Record<string, unknown>[];
      try {
        rows = (await this.query(RECORDS_SQL, [lsnText(start)])).rows;
      } catch (e) {
        if (this.next !== null) throw e;
        // The first read reached back into WAL already recycled: start at the flush position's page.
        start = flush - (flush % 8192n);
        if (start === flush) start -= 8192n;
        rows = (await this.query(RECORDS_SQL, [lsnText(start)])).rows;
      }
      if (rows.length > 0) {
        this.next = lsnValue(String(rows[rows.length - 1].end_lsn));
        this.total += rows.length;
        this.records = [...this.records, ...rows].slice(-KEEP);
        this.render();
      } else if (this.next === null) {
        this.next = start;
      }
    } catch (e) {
      const o = e as { code?: string; message?: string };
      this.summary.textContent = `ERROR: ${o.code ?? ''} ${o.message ?? String(e)}`;
    } finally {
      this.inflight = false;
    }
  }

  private render(): void {
    this.summary.textContent = this.records.length === 0
      ? 'no WAL records read yet'
      : `${this.records.length} newest records (of ${this.total} read), up to ${String(this.records[this.records.length - 1].end_lsn)}`;
    const head = el('thead');
    const hr = head.insertRow();
    for (const c of COLUMNS) hr.append(el('th', undefined, c));
    const body = el('tbody');
    // Newest first.
    for (let i = this.records.length - 1; i >= 0; i--) {
      const r = this.records[i];
      const tr = body.insertRow();
      tr.dataset.lsn = String(r.start_lsn);
      tr.dataset.rmgr = String(r.resource_manager);
      tr.dataset.type = String(r.record_type);
      for (const c of COLUMNS) {
        const td = tr.insertCell();
        td.dataset.col = c;
        if (c === 'block_ref') this.blockRefs(td, String(r.block_ref ?? ''));
        else td.textContent = String(r[c] ?? '');
      }
    }
    this.table.replaceChildren(head, body);
  }

  /** block_ref as links: one per reference, opening that page. */
  private blockRefs(td: HTMLElement, text: string): void {
    if (text === '') return;
    for (const m of text.matchAll(BLKREF)) {
      const [whole, , , , relNumber, fork, blk] = m;
      const a = el('a', 'blkref', whole);
      a.href = '#';
      a.dataset.relfilenode = relNumber;
      a.dataset.block = blk;
      a.title = fork === 'main' ? 'open this page' : `the ${fork} fork (the inspectors show the main fork)`;
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        void this.open(Number(relNumber), Number(blk));
      });
      td.append(a, ' ');
    }
    const rest = text.replace(BLKREF, '').trim();
    if (rest !== '') td.append(rest);
  }

  private async open(relfilenode: number, block: number): Promise<void> {
    try {
      const r = (await this.query(RELATION_SQL, [relfilenode])).rows[0];
      if (r === undefined) {
        this.summary.textContent = `relfilenode ${relfilenode}: no relation has it now (dropped or rewritten since)`;
        return;
      }
      this.openBlock(String(r.name), String(r.relkind), block);
    } catch (e) {
      this.summary.textContent = `ERROR: ${(e as Error).message}`;
    }
  }
}
