/*
 * btree_view.ts — a B-tree index drawn as a tree: the metapage, then one
 * row of pages per level from the root down to the leaves, each page a box
 * with its block number, type, item count and free space; clicking a page
 * lists its items (pageinspect's bt_page_items: itemoffset, ctid, itemlen,
 * nulls, vars, data in hex, dead, htid, tids).
 *
 * Asked with SQL on a free backend (window.tabgres.query): bt_metap,
 * bt_page_stats and bt_page_items (engine utils/adt/pageinspect_btree.ts,
 * PostgreSQL 15's columns). The tree is walked from the root: on an
 * internal page every item's ctid block is a downlink (the first item's is
 * the minus-infinity downlink; a non-rightmost page's first item is its
 * high key and points nowhere); the pages of a level are drawn left to
 * right in the order the walk meets them, which is the key order. Large
 * trees stop after MAX_PAGES pages (the rest of the lowest level is summed
 * up).
 */

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

const META_SQL = 'SELECT * FROM bt_metap($1)';
const STATS_SQL = 'SELECT blkno::int AS blkno, type::text AS type, live_items, dead_items, avg_item_size, free_size, btpo_prev::int AS prev, btpo_next::int AS next, btpo_level::int AS level, btpo_flags FROM bt_page_stats($1, $2)';
const ITEMS_SQL = 'SELECT itemoffset, ctid::text AS ctid, itemlen, nulls, vars, data, dead, htid::text AS htid, tids::text AS tids FROM bt_page_items($1, $2)';

/** Pages drawn at most (each costs two queries). */
const MAX_PAGES = 40;

const ITEM_COLUMNS = ['itemoffset', 'ctid', 'itemlen', 'nulls', 'vars', 'data', 'dead', 'htid', 'tids'];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

interface PageStats {
  blkno: number;
  type: string;
  live_items: number;
  dead_items: number;
  free_size: number;
  next: number;
  level: number;
}

const TYPE_NAMES: Record<string, string> = { r: 'root', i: 'internal', l: 'leaf', d: 'deleted', e: 'half-dead' };

export class BtreeView {
  readonly element: HTMLElement;
  readonly index: HTMLInputElement;
  private readonly tree: HTMLElement;
  private readonly items: HTMLElement;
  private inflight = false;
  /** The block whose items are listed, kept across refreshes. */
  selected: number | null = null;

  constructor(private readonly query: Query) {
    this.element = el('div', 'btree-view');
    const bar = el('div', 'bar');
    this.index = el('input', 'index');
    this.index.placeholder = 'index';
    this.index.value = 'accounts_pkey';
    const go = el('button', 'show', 'Show');
    go.addEventListener('click', () => void this.refresh());
    this.index.addEventListener('keydown', (e) => { if (e.key === 'Enter') void this.refresh(); });
    bar.append(el('span', undefined, 'index'), this.index, go);
    this.tree = el('div', 'btree-tree');
    this.tree.append(el('p', 'none', 'Name a B-tree index (a primary key is one: TABLE_pkey), then Show.'));
    this.items = el('div', 'btree-items');
    this.element.append(bar, this.tree, this.items);
  }

  /** Shows `index` and lists the items of `block` (the WAL view's links). */
  async show(index: string, block: number | null): Promise<void> {
    this.index.value = index;
    this.selected = block;
    await this.refresh();
  }

  /** Walks the tree again; skipped while a walk runs. */
  async refresh(): Promise<void> {
    if (this.inflight) return;
    const name = this.index.value.trim();
    if (name === '') return;
    this.inflight = true;
    try {
      const meta = (await this.query(META_SQL, [name])).rows[0];
      const levels: PageStats[][] = [];
      const root = Number(meta.root);
      let pages = 0;
      let truncated = false;
      let frontier = root === 0 ? [] : [root];
      while (frontier.length > 0) {
        const level: PageStats[] = [];
        const below: number[] = [];
        for (const blk of frontier) {
          if (pages >= MAX_PAGES) {
            truncated = true;
            break;
          }
          pages++;
          const s = (await this.query(STATS_SQL, [name, blk])).rows[0] as unknown as PageStats;
          level.push(s);
          if (s.type !== 'l') {
            const items = (await this.query(ITEMS_SQL, [name, blk])).rows;
            // Skip the high key (item 1 of a page with a right sibling): it is a separator, not a downlink.
            for (const it of items) {
              if (s.next !== 0 && Number(it.itemoffset) === 1) continue;
              below.push(Number(/^\((\d+),/.exec(String(it.ctid))?.[1]));
            }
          }
        }
        levels.push(level);
        frontier = truncated ? [] : below;
      }
      this.renderTree(name, meta, levels, truncated);
      if (this.selected !== null) await this.showItems(name, this.selected);
    } catch (e) {
      const o = e as { code?: string; message?: string };
      this.tree.replaceChildren(el('p', 'error', o.code !== undefined ? `ERROR: ${o.code} ${o.message ?? ''}` : String(o.message ?? e)));
      this.items.replaceChildren();
    } finally {
      this.inflight = false;
    }
  }

  private renderTree(name: string, meta: Record<string, unknown>, levels: PageStats[][], truncated: boolean): void {
    const metaBox = el('div', 'bt-page bt-meta');
    metaBox.dataset.block = '0';
    metaBox.append(
      el('strong', undefined, 'block 0: meta page'),
      el('span', undefined, `root ${String(meta.root)}, level ${String(meta.level)}, fastroot ${String(meta.fastroot)}`),
      el('span', undefined, `version ${String(meta.version)}, allequalimage ${String(meta.allequalimage)}`),
    );
    const rows: HTMLElement[] = [el('div', 'bt-level', undefined)];
    rows[0].append(metaBox);
    for (const level of levels) {
      const row = el('div', 'bt-level');
      row.dataset.level = String(level[0]?.level ?? '');
      for (const s of level) {
        const box = el('div', `bt-page bt-${TYPE_NAMES[s.type] ?? s.type}`);
        box.dataset.block = String(s.blkno);
        box.dataset.type = s.type;
        if (this.selected === s.blkno) box.classList.add('selected');
        box.title = 'list this page\'s items';
        box.append(
          el('strong', undefined, `block ${s.blkno}`),
          el('span', undefined, `${TYPE_NAMES[s.type] ?? s.type}, level ${s.level}`),
          el('span', undefined, `${s.live_items} items${s.dead_items > 0 ? `, ${s.dead_items} dead` : ''}, ${s.free_size} B free`),
        );
        box.addEventListener('click', () => {
          this.selected = s.blkno;
          for (const b of this.tree.querySelectorAll('.bt-page')) b.classList.toggle('selected', b === box);
          void this.showItems(name, s.blkno);
        });
        row.append(box);
      }
      rows.push(row);
    }
    const npages = levels.reduce((n, l) => n + l.length, 0);
    this.tree.replaceChildren(
      el('p', 'summary', `"${name}": ${levels.length} level${levels.length === 1 ? '' : 's'} under the meta page, ${npages} page${npages === 1 ? '' : 's'} drawn${truncated ? ` (stopped at ${MAX_PAGES})` : ''}`),
      ...rows,
    );
  }

  private async showItems(name: string, blk: number): Promise<void> {
    if (blk === 0) {
      this.items.replaceChildren(el('p', 'none', 'Block 0 is the meta page: its fields are in its box above.'));
      return;
    }
    try {
      const items = (await this.query(ITEMS_SQL, [name, blk])).rows;
      const t = el('table', 'bt-items');
      const hr = t.createTHead().insertRow();
      for (const c of ITEM_COLUMNS) hr.append(el('th', undefined, c));
      const body = t.createTBody();
      for (const r of items) {
        const tr = body.insertRow();
        tr.dataset.item = String(r.itemoffset);
        for (const c of ITEM_COLUMNS) {
          const td = tr.insertCell();
          td.dataset.col = c;
          const v = r[c];
          if (v === null || v === undefined) td.className = 'null';
          else td.textContent = String(v);
        }
      }
      this.items.replaceChildren(el('h4', undefined, `"${name}" block ${blk}: ${items.length} item${items.length === 1 ? '' : 's'} (bt_page_items)`), t);
    } catch (e) {
      const o = e as { code?: string; message?: string };
      this.items.replaceChildren(el('p', 'error', `ERROR: ${o.code ?? ''} ${o.message ?? String(e)}`));
    }
  }
}
