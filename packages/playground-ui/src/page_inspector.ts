/*
 * page_inspector.ts — one heap page as the buffer cache has it: the page
 * header (pd_lsn, pd_checksum, pd_flags, pd_lower, pd_upper, pd_special,
 * pd_pagesize_version, pd_prune_xid), the free space between pd_lower and
 * pd_upper, the line pointers (lp_off, lp_flags, lp_len) and each tuple's
 * header (t_xmin, t_xmax, t_ctid, t_infomask/t_infomask2 decoded by name,
 * t_hoff, the null bitmap).
 *
 * Read with pageinspect's SQL functions (engine utils/adt/pageinspect.ts:
 * get_raw_page reads the block through the buffer manager, so the page is
 * the shared buffer's, dirty changes included; page_header and
 * heap_page_items decode it with bufpage.ts / itemid.ts / htup_details.ts;
 * heap_tuple_infomask_flags names the bits), on a free backend through
 * window.tabgres.query, never a session's. The page does not decode bytes
 * itself, so no offset is written twice.
 *
 * Refreshed on Inspect, and twice a second while "live" is ticked and the
 * view is shown (main.ts), one query at a time.
 */

const HEADER_SQL = 'SELECT * FROM page_header(get_raw_page($1, $2))';
const ITEMS_SQL = `SELECT h.lp, h.lp_off, h.lp_flags, h.lp_len, h.t_xmin::text AS t_xmin, h.t_xmax::text AS t_xmax,
       h.t_ctid::text AS t_ctid, h.t_infomask, h.t_infomask2, h.t_hoff, h.t_bits, f.raw_flags, f.combined_flags
  FROM heap_page_items(get_raw_page($1, $2)) h
  LEFT JOIN LATERAL heap_tuple_infomask_flags(h.t_infomask, h.t_infomask2) f ON true
 ORDER BY h.lp`;

/** itemid.h's lp_flags values. */
const LP_FLAGS = ['LP_UNUSED', 'LP_NORMAL', 'LP_REDIRECT', 'LP_DEAD'];
/** bufpage.h's pd_flags bits. */
const PD_FLAGS: [number, string][] = [[1, 'PD_HAS_FREE_LINES'], [2, 'PD_PAGE_FULL'], [4, 'PD_ALL_VISIBLE']];

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class PageInspector {
  readonly element: HTMLElement;
  readonly relation: HTMLInputElement;
  readonly block: HTMLInputElement;
  readonly live: HTMLInputElement;
  private readonly content: HTMLElement;
  private inflight = false;

  constructor(private readonly query: Query) {
    this.element = el('div', 'page-inspector');
    const bar = el('div', 'bar');
    this.relation = el('input', 'relation');
    this.relation.placeholder = 'relation';
    this.relation.value = 'accounts';
    this.block = el('input', 'block');
    this.block.type = 'number';
    this.block.min = '0';
    this.block.value = '0';
    this.block.style.width = '5rem';
    const go = el('button', 'inspect', 'Inspect');
    go.addEventListener('click', () => void this.refresh());
    this.relation.addEventListener('keydown', (e) => { if (e.key === 'Enter') void this.refresh(); });
    const liveLabel = el('label');
    this.live = el('input');
    this.live.type = 'checkbox';
    liveLabel.append(this.live, ' live');
    bar.append(el('span', undefined, 'relation'), this.relation, el('span', undefined, 'block'), this.block, go, liveLabel);
    this.content = el('div', 'page-content');
    this.content.append(el('p', 'none', 'Pick a table and a block number, then Inspect.'));
    this.element.append(bar, this.content);
  }

  /** Reads the page and shows it; skipped while the previous read runs. */
  async refresh(): Promise<void> {
    if (this.inflight) return;
    const rel = this.relation.value.trim();
    const blkno = Number(this.block.value);
    if (rel === '') return;
    this.inflight = true;
    try {
      const header = (await this.query(HEADER_SQL, [rel, blkno])).rows[0];
      const items = (await this.query(ITEMS_SQL, [rel, blkno])).rows;
      this.render(rel, blkno, header, items);
    } catch (e) {
      const o = e as { code?: string; message?: string };
      this.content.replaceChildren(el('p', 'error', o.code !== undefined ? `ERROR: ${o.code} ${o.message ?? ''}` : String(o.message ?? e)));
    } finally {
      this.inflight = false;
    }
  }

  private render(rel: string, blkno: number, h: Record<string, unknown>, items: Record<string, unknown>[]): void {
    const lower = Number(h.lower);
    const upper = Number(h.upper);
    const flags = Number(h.flags) & 0xffff;
    const flagNames = PD_FLAGS.filter(([b]) => (flags & b) !== 0).map(([, n]) => n);
    const head = el('table', 'page-header');
    const fields: [string, string][] = [
      ['pd_lsn', String(h.lsn)],
      ['pd_checksum', String(h.checksum)],
      ['pd_flags', `${flags}${flagNames.length > 0 ? ` (${flagNames.join(' | ')})` : ''}`],
      ['pd_lower', String(lower)],
      ['pd_upper', String(upper)],
      ['pd_special', String(h.special)],
      ['pd_pagesize_version', `size ${String(h.pagesize)}, version ${String(h.version)}`],
      ['pd_prune_xid', String(h.prune_xid)],
      ['free space', `${upper - lower} bytes (pd_upper − pd_lower)`],
    ];
    const hb = head.createTBody();
    for (const [k, v] of fields) {
      const tr = hb.insertRow();
      tr.dataset.field = k;
      tr.append(el('th', undefined, k));
      tr.insertCell().textContent = v;
    }

    // The page drawn to scale: header, line pointers, free space, tuples, special space.
    const bar = el('div', 'page-map');
    const pagesize = Number(h.pagesize) || 8192;
    const part = (cls: string, from: number, to: number, title: string): void => {
      if (to <= from) return;
      const s = el('span', cls);
      s.style.width = `${((to - from) / pagesize) * 100}%`;
      s.title = `${title}: [${from}, ${to})`;
      bar.append(s);
    };
    part('map-header', 0, 24, 'page header');
    part('map-lp', 24, lower, 'line pointers');
    part('map-free', lower, upper, 'free space');
    part('map-tuples', upper, Number(h.special), 'tuples');
    part('map-special', Number(h.special), pagesize, 'special space');

    const t = el('table', 'page-items');
    const cols = ['lp', 'lp_off', 'lp_flags', 'lp_len', 't_xmin', 't_xmax', 't_ctid', 't_infomask', 't_hoff', 't_bits'];
    const hr = t.createTHead().insertRow();
    for (const c of cols) hr.append(el('th', undefined, c));
    const body = t.createTBody();
    for (const r of items) {
      const tr = body.insertRow();
      tr.dataset.lp = String(r.lp);
      const lpFlags = Number(r.lp_flags);
      if (lpFlags !== 1) tr.className = 'not-normal';
      else if (r.t_xmax !== '0' && Array.isArray(r.raw_flags) && !(r.raw_flags as string[]).includes('HEAP_XMAX_INVALID')) tr.className = 'has-xmax';
      for (const c of cols) {
        const td = tr.insertCell();
        td.dataset.col = c;
        let v: unknown = r[c];
        if (c === 'lp_flags') v = `${lpFlags} ${LP_FLAGS[lpFlags] ?? ''}`;
        if (c === 't_infomask') {
          if (r.t_infomask === null) v = null;
          else {
            const names = [...((r.raw_flags as string[] | null) ?? []), ...((r.combined_flags as string[] | null) ?? [])];
            v = `0x${Number(r.t_infomask).toString(16).padStart(4, '0')} / 0x${Number(r.t_infomask2).toString(16).padStart(4, '0')}: ${names.join(' ')} natts=${Number(r.t_infomask2) & 0x7ff}`;
          }
        }
        if (v === null || v === undefined) {
          td.className = 'null';
          td.textContent = '';
        } else {
          td.textContent = String(v);
        }
      }
    }
    this.content.replaceChildren(
      el('p', 'summary', `"${rel}" block ${blkno}: ${items.length} line pointer${items.length === 1 ? '' : 's'}, read through the shared buffer cache`),
      bar, head, t,
    );
  }
}
