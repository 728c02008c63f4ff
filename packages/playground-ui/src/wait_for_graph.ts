/*
 * wait_for_graph.ts — the lock wait-for graph, drawn as SVG: one node per
 * client backend (its pid, state and query), one edge "waits for" from a
 * backend waiting for a heavyweight lock to every backend pg_blocking_pids
 * names, labelled with the lock it waits for (the relation, the
 * transaction, the tuple, the advisory key, ... and the mode). A cycle is a
 * deadlock: its edges are drawn red and named above the picture until the
 * deadlock detector (storage/lmgr/deadlock.ts, run by a waiter after its
 * deadlock_timeout) breaks it with 40P01.
 *
 * Exports: WaitForGraphView (the SVG, refresh()), buildWaitForGraph and
 *          findCycles (pure: rows in, graph out; tested without a browser),
 *          lockLabel, WAITS_SQL, BACKENDS_SQL.
 *
 * Where the data comes from: SQL on a free backend (window.tabgres.query),
 * as the locks view (locks_view.ts) asks it, and only while that view is
 * shown (it owns the refresh; one query pair at a time):
 *   - BACKENDS_SQL: pg_stat_activity's client backends but the asking one;
 *   - WAITS_SQL: every ungranted pg_locks row with pg_blocking_pids of its
 *     backend (the hard blockers, holders of a conflicting lock, and the soft
 *     ones, earlier waiters in the queue for it, as PostgreSQL's does).
 * The two queries are two snapshots of a lock table that moves, so an edge
 * may name a backend the first did not list: it gets a node of its own.
 *
 * Layout: the nodes on an ellipse (a cycle looks like one); every edge a
 * quadratic curve bent to its left, so A→B and B→A are two arcs, not one
 * line; the label at the curve's middle with a white halo.
 */

export const BACKENDS_SQL = `SELECT pid, state, query, backend_xid::text AS xid
  FROM pg_stat_activity
 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
 ORDER BY pid`;

export const WAITS_SQL = `SELECT l.pid, l.locktype, l.mode,
       CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END AS relation,
       l.page, l.tuple, l.virtualxid, l.transactionid::text AS transactionid,
       l.classid::text AS classid, l.objid::text AS objid, l.objsubid,
       pg_blocking_pids(l.pid) AS blocked_by
  FROM pg_locks l
 WHERE NOT l.granted AND l.pid <> pg_backend_pid()
 ORDER BY l.pid`;

export interface GraphNode {
  pid: number;
  state: string | null;
  query: string | null;
}

export interface GraphEdge {
  /** The waiting backend. */
  from: number;
  /** A backend it waits for (pg_blocking_pids). */
  to: number;
  /** The lock the waiter waits for: "ShareLock on transaction 742". */
  label: string;
  /** The edge lies on a cycle (a deadlock). */
  inCycle: boolean;
}

export interface WaitForGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Each cycle as its pids in wait order, the first repeated at the end: [a, b, a]. */
  cycles: number[][];
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The lock a pg_locks row names, as PostgreSQL's deadlock DETAIL and pg_locks' columns put it, with its mode. */
export function lockLabel(r: Row): string {
  const rel = str(r.relation) || '?';
  let what: string;
  switch (r.locktype) {
    case 'relation': what = `relation ${rel}`; break;
    case 'extend': what = `extension of relation ${rel}`; break;
    case 'page': what = `page ${str(r.page)} of relation ${rel}`; break;
    case 'tuple': what = `tuple (${str(r.page)},${str(r.tuple)}) of relation ${rel}`; break;
    case 'transactionid': what = `transaction ${str(r.transactionid)}`; break;
    case 'virtualxid': what = `virtual transaction ${str(r.virtualxid)}`; break;
    case 'advisory':
      // pg_locks splits the key: one bigint is classid (high 32 bits) and objid (low), objsubid 1; two int4 keys are objsubid 2.
      what = Number(r.objsubid) === 2
        ? `advisory lock (${str(r.classid)}, ${str(r.objid)})`
        : `advisory lock ${((BigInt(str(r.classid) || '0') << 32n) | BigInt(str(r.objid) || '0')).toString()}`;
      break;
    default: what = `${str(r.locktype)} lock`;
  }
  return `${str(r.mode)} on ${what}`;
}

/** pg_blocking_pids' int4[] as numbers (the driver gives an array; text "{1,2}" is taken too). */
function pidList(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'string') return v.replace(/[{}]/g, '').split(',').filter((x) => x !== '').map(Number);
  return [];
}

/**
 * Every cycle of a small directed graph, each once (started at its smallest
 * pid), by depth-first search from each node over larger pids only
 * (Johnson's idea without its bookkeeping: a graph of a few backends).
 */
export function findCycles(edges: { from: number; to: number }[]): number[][] {
  const out = new Map<number, number[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const cycles: number[][] = [];
  const starts = [...new Set(edges.map((e) => e.from))].sort((a, b) => a - b);
  for (const start of starts) {
    const path = [start];
    const onPath = new Set(path);
    const walk = (at: number): void => {
      for (const next of out.get(at) ?? []) {
        if (next === start) cycles.push([...path, start]);
        else if (next > start && !onPath.has(next) && path.length < 16) {
          path.push(next);
          onPath.add(next);
          walk(next);
          path.pop();
          onPath.delete(next);
        }
      }
    };
    walk(start);
  }
  return cycles;
}

/** The graph from BACKENDS_SQL's and WAITS_SQL's rows. */
export function buildWaitForGraph(backends: Row[], waits: Row[]): WaitForGraph {
  const nodes = new Map<number, GraphNode>();
  for (const b of backends) {
    const pid = Number(b.pid);
    nodes.set(pid, { pid, state: b.state === null || b.state === undefined ? null : String(b.state), query: b.query === null || b.query === undefined ? null : String(b.query) });
  }
  const edges: GraphEdge[] = [];
  for (const w of waits) {
    const from = Number(w.pid);
    const label = lockLabel(w);
    for (const to of pidList(w.blocked_by)) {
      if (edges.some((e) => e.from === from && e.to === to)) continue;
      edges.push({ from, to, label, inCycle: false });
    }
  }
  // A backend seen only in the lock table (the two queries are two moments): a node all the same.
  for (const e of edges) {
    for (const pid of [e.from, e.to]) if (!nodes.has(pid)) nodes.set(pid, { pid, state: null, query: null });
  }
  const cycles = findCycles(edges);
  for (const c of cycles) {
    for (let i = 0; i + 1 < c.length; i++) {
      const e = edges.find((x) => x.from === c[i] && x.to === c[i + 1]);
      if (e !== undefined) e.inCycle = true;
    }
  }
  return { nodes: [...nodes.values()].sort((a, b) => a.pid - b.pid), edges, cycles };
}

/* ---- drawing ---- */

const SVG_NS = 'http://www.w3.org/2000/svg';
const NODE_W = 230;
const NODE_H = 66;
const WIDTH = 760;
const QUERY_CHARS = 34;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Where the segment from a box's centre towards (tx, ty) leaves the box. */
function boxExit(cx: number, cy: number, tx: number, ty: number): [number, number] {
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const s = Math.min(dx === 0 ? Infinity : (NODE_W / 2 + 4) / Math.abs(dx), dy === 0 ? Infinity : (NODE_H / 2 + 4) / Math.abs(dy));
  return [cx + dx * s, cy + dy * s];
}

function shorten(q: string | null, n: number): string {
  if (q === null || q === '') return '';
  const one = q.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** The graph as an SVG element (a fresh one each time: a few nodes, redrawn twice a second at most). */
export function drawWaitForGraph(g: WaitForGraph): SVGSVGElement {
  const n = g.nodes.length;
  const height = n <= 2 ? 200 : n <= 4 ? 320 : 400;
  const root = svg('svg', { width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, class: 'wfg-svg', role: 'img' });
  const defs = svg('defs', {});
  for (const [id, colour] of [['wfg-arrow', '#c05a00'], ['wfg-arrow-cycle', '#c00000']]) {
    const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
    m.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: colour }));
    defs.append(m);
  }
  root.append(defs);
  // Positions on an ellipse; two nodes side by side, one in the middle.
  const cx = WIDTH / 2;
  const cy = height / 2;
  const rx = WIDTH / 2 - NODE_W / 2 - 10;
  const ry = height / 2 - NODE_H / 2 - 8;
  const pos = new Map<number, [number, number]>();
  g.nodes.forEach((node, i) => {
    const a = n === 1 ? 0 : Math.PI + (2 * Math.PI * i) / n;
    pos.set(node.pid, n === 1 ? [cx, cy] : [cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  });
  const edgeLayer = svg('g', { class: 'wfg-edges' });
  const labelLayer = svg('g', { class: 'wfg-labels' });
  for (const e of g.edges) {
    const [x1, y1] = pos.get(e.from) as [number, number];
    const [x2, y2] = pos.get(e.to) as [number, number];
    // Bend to the left of the direction of travel, so the reverse edge is another arc.
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const nx = -(y2 - y1) / len;
    const ny = (x2 - x1) / len;
    const bend = Math.max(45, len * 0.15);
    const mx = (x1 + x2) / 2 + nx * bend;
    const my = (y1 + y2) / 2 + ny * bend;
    const [sx, sy] = boxExit(x1, y1, mx, my);
    const [tx, ty] = boxExit(x2, y2, mx, my);
    const path = svg('path', {
      d: `M ${sx.toFixed(1)} ${sy.toFixed(1)} Q ${mx.toFixed(1)} ${my.toFixed(1)} ${tx.toFixed(1)} ${ty.toFixed(1)}`,
      class: `wfg-edge${e.inCycle ? ' cycle' : ''}`,
      'marker-end': `url(#${e.inCycle ? 'wfg-arrow-cycle' : 'wfg-arrow'})`,
      'data-from': e.from,
      'data-to': e.to,
    });
    path.append(svg('title', {}, `pid ${e.from} waits for pid ${e.to}: ${e.label}`));
    edgeLayer.append(path);
    // The curve's middle (a quadratic Bézier at t = 1/2), moved off the line to the outside of the bend.
    const lx = 0.25 * sx + 0.5 * mx + 0.25 * tx + nx * 16;
    // (The label's two lines sit above its anchor, so below a curve it goes one line further down.)
    const ly = 0.25 * sy + 0.5 * my + 0.25 * ty + ny * 16 + (ny > 0.3 ? 10 : 0);
    const label = svg('text', { x: lx.toFixed(1), y: (ly + 4).toFixed(1), 'text-anchor': 'middle', class: `wfg-label${e.inCycle ? ' cycle' : ''}`, 'data-from': e.from, 'data-to': e.to });
    label.append(svg('tspan', { class: 'wfg-waits', x: lx.toFixed(1), dy: -12 }, 'waits for'), svg('tspan', { x: lx.toFixed(1), dy: 13 }, e.label));
    labelLayer.append(label);
  }
  const nodeLayer = svg('g', { class: 'wfg-nodes' });
  const waiting = new Set(g.edges.map((e) => e.from));
  const inCycle = new Set(g.cycles.flat());
  for (const node of g.nodes) {
    const [x, y] = pos.get(node.pid) as [number, number];
    const cls = ['wfg-node', waiting.has(node.pid) ? 'waiting' : '', inCycle.has(node.pid) ? 'cycle' : '', node.state === 'idle' ? 'idle' : ''].filter((c) => c !== '').join(' ');
    const grp = svg('g', { class: cls, 'data-pid': node.pid, transform: `translate(${(x - NODE_W / 2).toFixed(1)} ${(y - NODE_H / 2).toFixed(1)})` });
    grp.append(svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }));
    grp.append(svg('text', { x: 8, y: 17, class: 'wfg-pid' }, `pid ${node.pid}${node.state !== null ? ` · ${node.state}` : ''}`));
    // The query on two lines at most (the WHERE clause is often what tells two UPDATEs apart).
    const q = shorten(node.query, 2 * QUERY_CHARS);
    const cut = q.length <= QUERY_CHARS ? q.length : Math.max(q.lastIndexOf(' ', QUERY_CHARS), QUERY_CHARS / 2);
    grp.append(svg('text', { x: 8, y: 36, class: 'wfg-query' }, q.slice(0, cut)));
    if (cut < q.length) grp.append(svg('text', { x: 8, y: 52, class: 'wfg-query' }, q.slice(cut).trimStart()));
    if (node.query !== null) grp.append(svg('title', {}, node.query));
    nodeLayer.append(grp);
  }
  root.append(edgeLayer, nodeLayer, labelLayer);
  return root;
}

type Query = (sql: string) => Promise<{ rows: Row[] }>;

/**
 * The graph view: refresh() asks both queries and redraws. The locks view
 * calls it from its own refresh (one caller, so never two at once).
 */
export class WaitForGraphView {
  readonly element: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly picture: HTMLElement;
  /** The graph last drawn (tests and the lesson panel read it). */
  graph: WaitForGraph = { nodes: [], edges: [], cycles: [] };

  constructor(private readonly query: Query) {
    this.element = document.createElement('div');
    this.element.className = 'wait-for-graph';
    const head = document.createElement('h3');
    head.textContent = 'wait-for graph';
    this.caption = document.createElement('p');
    this.caption.className = 'wfg-caption';
    this.picture = document.createElement('div');
    this.picture.className = 'wfg-picture';
    this.element.append(head, this.caption, this.picture);
  }

  async refresh(): Promise<void> {
    const backends = await this.query(BACKENDS_SQL);
    const waits = await this.query(WAITS_SQL);
    this.show(buildWaitForGraph(backends.rows, waits.rows));
  }

  show(g: WaitForGraph): void {
    this.graph = g;
    this.element.dataset.edges = String(g.edges.length);
    this.element.dataset.cycles = String(g.cycles.length);
    if (g.cycles.length > 0) {
      this.caption.className = 'wfg-caption deadlock';
      this.caption.textContent = `deadlock: ${g.cycles.map((c) => c.map((p) => `pid ${p}`).join(' → ')).join('; ')} — `
        + 'the first of them whose deadlock_timeout passes runs the deadlock detector and fails with 40P01';
    } else if (g.edges.length > 0) {
      this.caption.className = 'wfg-caption';
      this.caption.textContent = `${g.edges.length} wait${g.edges.length === 1 ? '' : 's'}; an arrow goes from the waiting backend to the one holding (or queued ahead for) the lock`;
    } else {
      this.caption.className = 'wfg-caption none';
      this.caption.textContent = 'no backend waits for a lock';
    }
    this.picture.replaceChildren(drawWaitForGraph(g));
  }
}
