/*
 * journey_view.ts — the query's journey for a session's last statement:
 * the lexer's tokens, the raw parse tree, the analyzed Query (range table,
 * join tree, target list, quals) and the plan tree with its costs (and,
 * after EXPLAIN ANALYZE, actual rows and time per node).
 *
 * Where each stage comes from (all on the session's own backend, so the
 * statement is analyzed and planned in its transaction, seeing its
 * uncommitted tables and its search_path):
 *   - tokens, raw tree, Query: `SELECT tabgres_query_journey($1)`
 *     (engine utils/adt/pageinspect.ts: parser/scan.ts's tokenize,
 *     gram.ts's parse, analyze.ts's parseAnalyze, outfuncs.ts's
 *     nodeToString and analyze_print.ts's printQuery). The engine is not
 *     loaded into the page for this: analysis needs the catalogs, which
 *     live behind the backend, and the page stays the size it was.
 *   - the plan: `EXPLAIN (FORMAT JSON) <statement>`, drawn as a tree.
 *     EXPLAIN ANALYZE executes the statement again, so the view offers it
 *     for statements that only read (SELECT, VALUES, TABLE, WITH ...
 *     SELECT); for a data-changing one it says why not.
 */

import type { SessionPanel } from './session_panel.ts';

interface Token {
  kind: string;
  value: string;
  text: string;
  start: number;
  end: number;
}

interface Journey {
  statement: string;
  tokens: Token[];
  raw: unknown;
  query: { commandType?: string; rtable?: RangeTblEntryJson[] } & Record<string, unknown>;
  queryText: string;
}

interface RangeTblEntryJson {
  rtekind: string;
  eref: { aliasname: string; colnames: string[] };
  relid?: number;
  relkind?: string;
  jointype?: string;
}

/** One node of EXPLAIN (FORMAT JSON)'s "Plan". */
interface PlanJson {
  'Node Type': string;
  'Startup Cost'?: number;
  'Total Cost'?: number;
  'Plan Rows'?: number;
  'Plan Width'?: number;
  'Actual Startup Time'?: number;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanJson[];
  [key: string]: unknown;
}

/** The plan's label details EXPLAIN's text form also puts on a node's line or under it. */
const PLAN_DETAILS = ['Join Type', 'Relation Name', 'Alias', 'Index Name', 'Scan Direction', 'Strategy', 'Hash Cond', 'Merge Cond', 'Join Filter', 'Index Cond', 'Filter', 'Sort Key', 'Group Key', 'Output'];

/** Statements EXPLAIN ANALYZE can run again without changing anything. */
const READ_ONLY = /^\s*(\(\s*)*(select|values|table|with)\b/i;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function section(title: string, cls: string): { box: HTMLElement; body: HTMLElement } {
  const box = el('section', `journey-stage ${cls}`);
  const body = el('div', 'stage-body');
  box.append(el('h3', undefined, title), body);
  return { box, body };
}

/** A node tree (raw parse tree or Query) as nested <details>, a node's `type` as its label; nulls, empty lists and locations left out. */
export function renderNodeTree(value: unknown, label: string, depth = 0): HTMLElement {
  if (value === null || typeof value !== 'object') {
    const line = el('div', 'leaf');
    line.append(el('span', 'field', `${label}: `), el('span', 'value', JSON.stringify(value)));
    return line;
  }
  const d = el('details', 'node');
  d.open = depth < 4;
  const summary = el('summary');
  if (Array.isArray(value)) {
    summary.append(el('span', 'field', label), el('span', 'count', ` [${value.length}]`));
    d.append(summary);
    value.forEach((v, i) => d.append(renderNodeTree(v, String(i), depth + 1)));
    return d;
  }
  const obj = value as Record<string, unknown>;
  summary.append(el('span', 'field', `${label}: `), el('span', 'node-type', typeof obj.type === 'string' ? obj.type : '{}'));
  d.append(summary);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'type' || k === 'location' || k.endsWith('_location') || v === null || v === false || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    d.append(renderNodeTree(v, k, depth + 1));
  }
  return d;
}

function fmt(n: number | undefined, digits = 2): string {
  return n === undefined ? '?' : n.toFixed(digits);
}

/** One plan node and its children as a nested list (CSS draws the tree lines). */
export function renderPlanNode(p: PlanJson): HTMLElement {
  const li = el('li');
  const box = el('div', 'plan-node');
  box.dataset.nodeType = p['Node Type'];
  const head = el('div', 'plan-head');
  head.append(el('strong', 'node-type', p['Node Type']));
  if (typeof p['Relation Name'] === 'string') head.append(` on ${p['Relation Name']}${p.Alias && p.Alias !== p['Relation Name'] ? ` ${String(p.Alias)}` : ''}`);
  if (typeof p['Index Name'] === 'string') head.append(` using ${p['Index Name']}`);
  box.append(head);
  box.append(el('div', 'cost', `cost=${fmt(p['Startup Cost'])}..${fmt(p['Total Cost'])} rows=${p['Plan Rows'] ?? '?'} width=${p['Plan Width'] ?? '?'}`));
  if (p['Actual Loops'] !== undefined) {
    box.classList.add('analyzed');
    box.append(el('div', 'actual', `actual time=${fmt(p['Actual Startup Time'], 3)}..${fmt(p['Actual Total Time'], 3)} rows=${p['Actual Rows'] ?? '?'} loops=${p['Actual Loops']}`));
  }
  for (const k of PLAN_DETAILS) {
    if (k === 'Relation Name' || k === 'Alias' || k === 'Index Name') continue;
    const v = p[k];
    if (v === undefined || v === null) continue;
    box.append(el('div', 'detail', `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`));
  }
  li.append(box);
  if (p.Plans !== undefined && p.Plans.length > 0) {
    const ul = el('ul', 'plan-children');
    for (const c of p.Plans) ul.append(renderPlanNode(c));
    li.append(ul);
  }
  return li;
}

export class JourneyView {
  readonly element: HTMLElement;
  private readonly picker: HTMLSelectElement;
  private readonly content: HTMLElement;
  private readonly analyzeButton: HTMLButtonElement;

  constructor(private readonly sessions: () => SessionPanel[]) {
    this.element = el('div', 'journey');
    const bar = el('div', 'bar');
    this.picker = el('select', 'session-picker');
    const show = el('button', 'show-journey', 'show the last statement');
    show.title = "tokens, raw parse tree, analyzed Query and EXPLAIN's plan of the last statement the session ran";
    this.analyzeButton = el('button', 'explain-analyze', 'EXPLAIN ANALYZE');
    this.analyzeButton.title = 'runs the statement again and shows the actual rows and time of each plan node (read-only statements only)';
    show.addEventListener('click', () => void this.show(false));
    this.analyzeButton.addEventListener('click', () => void this.show(true));
    this.picker.addEventListener('focus', () => this.refreshPicker());
    bar.append(el('span', undefined, 'session'), this.picker, show, this.analyzeButton);
    this.content = el('div', 'journey-content');
    this.content.append(el('p', 'none', 'Run a statement in a session, then show its journey here.'));
    this.element.append(bar, this.content);
    this.refreshPicker();
  }

  /** The session list (sessions come and go). */
  refreshPicker(): void {
    const current = this.picker.value;
    const opts = this.sessions().map((s) => {
      const o = el('option', undefined, `session ${s.index}`);
      o.value = String(s.index);
      return o;
    });
    this.picker.replaceChildren(...opts);
    if (opts.some((o) => o.value === current)) this.picker.value = current;
  }

  /** Shows the journey of the picked session's last statement; with analyze, EXPLAIN ANALYZE's plan. */
  async show(analyze: boolean, sessionIndex?: number): Promise<void> {
    this.refreshPicker();
    if (sessionIndex !== undefined) this.picker.value = String(sessionIndex);
    const panel = this.sessions().find((s) => String(s.index) === this.picker.value);
    if (panel === undefined) return this.message('no such session');
    if (panel.lastScript === null) return this.message(`session ${panel.index} has not run anything yet`);
    this.content.replaceChildren(el('p', 'pending', 'analyzing…'));
    let journey: Journey;
    try {
      const r = await panel.queryOnBackend('SELECT tabgres_query_journey($1) AS journey', [panel.lastScript]);
      const j = r.rows[0].journey;
      journey = (typeof j === 'string' ? JSON.parse(j) : j) as Journey;
    } catch (e) {
      return this.message(errorText(e), true);
    }
    const out: HTMLElement[] = [el('pre', 'statement', journey.statement)];

    const tokens = section(`1. tokens (${journey.tokens.length}, parser/scan.ts)`, 'tokens');
    const list = el('div', 'token-list');
    for (const t of journey.tokens) {
      const chip = el('span', `token token-${t.kind}`);
      chip.title = `${t.kind}${t.value !== t.text ? ` value=${t.value}` : ''} [${t.start}, ${t.end})`;
      chip.append(el('span', 'token-text', t.text), el('span', 'token-kind', t.kind));
      list.append(chip);
    }
    tokens.body.append(list);
    out.push(tokens.box);

    const raw = section('2. raw parse tree (parser/gram.ts)', 'raw-tree');
    raw.body.append(renderNodeTree(journey.raw, 'stmt'));
    out.push(raw.box);

    const analyzed = section(`3. analyzed Query (parser/analyze.ts): ${journey.query.commandType ?? ''}`, 'query');
    const rtable = journey.query.rtable ?? [];
    if (rtable.length > 0) {
      const table = el('table', 'rtable');
      const hr = table.createTHead().insertRow();
      for (const h of ['rtindex', 'rtekind', 'eref', 'columns', 'relid']) hr.append(el('th', undefined, h));
      const body = table.createTBody();
      rtable.forEach((rte, i) => {
        const tr = body.insertRow();
        for (const v of [String(i + 1), rte.rtekind, rte.eref.aliasname, rte.eref.colnames.join(', '), rte.relid ? String(rte.relid) : '']) tr.insertCell().textContent = v;
      });
      analyzed.body.append(el('h4', undefined, 'range table'), table);
    }
    analyzed.body.append(el('h4', undefined, 'join tree, quals, target list (analyze_print.ts)'), el('pre', 'query-text', journey.queryText));
    const full = renderNodeTree(journey.query, 'Query');
    (full as HTMLDetailsElement).open = false;
    analyzed.body.append(full);
    out.push(analyzed.box);

    const plan = section(analyze ? '4. plan (EXPLAIN ANALYZE: costs and actual rows/time)' : '4. plan (EXPLAIN: estimated costs)', 'plan');
    if (journey.query.commandType === 'CMD_UTILITY') {
      plan.body.append(el('p', 'none', 'a utility statement: it is executed directly, with no plan'));
    } else if (analyze && !READ_ONLY.test(journey.statement)) {
      plan.body.append(el('p', 'none', 'EXPLAIN ANALYZE would execute this data-changing statement again; use EXPLAIN (the other button) or run EXPLAIN ANALYZE inside BEGIN … ROLLBACK yourself'));
    } else {
      try {
        const r = await panel.queryOnBackend(`EXPLAIN (${analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${journey.statement}`);
        const doc = r.rows[0]['QUERY PLAN'];
        const parsed = (typeof doc === 'string' ? JSON.parse(doc) : doc) as { Plan: PlanJson; 'Planning Time'?: number; 'Execution Time'?: number }[];
        const ul = el('ul', 'plan-tree');
        ul.append(renderPlanNode(parsed[0].Plan));
        plan.body.append(ul);
        const times: string[] = [];
        if (parsed[0]['Planning Time'] !== undefined) times.push(`planning ${parsed[0]['Planning Time']} ms`);
        if (parsed[0]['Execution Time'] !== undefined) times.push(`execution ${parsed[0]['Execution Time']} ms`);
        if (times.length > 0) plan.body.append(el('p', 'timing', times.join(', ')));
      } catch (e) {
        plan.body.append(el('p', 'error', errorText(e)));
      }
    }
    out.push(plan.box);
    this.content.replaceChildren(...out);
  }

  private message(text: string, error = false): void {
    this.content.replaceChildren(el('p', error ? 'error' : 'none', text));
  }
}

function errorText(e: unknown): string {
  const o = e as { code?: string; message?: string };
  return o.code !== undefined ? `ERROR: ${o.code} ${o.message ?? ''}` : String(o.message ?? e);
}
