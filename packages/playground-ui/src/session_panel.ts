/*
 * session_panel.ts — one session of the playground: a CodeMirror SQL
 * editor pinned to its own backend (PostmasterCore.connect), Run
 * (Ctrl/Cmd-Enter), Cancel (the postmaster's cancel of that backend, as
 * pg_cancel_backend), the results as tables with their command tags and the
 * time taken, errors with SQLSTATE, DETAIL, HINT and the position
 * underlined in the editor, and the backend's transaction state and lock
 * wait (read from shared memory by main.ts's refresh, shmem_view.ts).
 *
 * Rules:
 *  1. The backend is taken at the first Run, not when the panel is made:
 *     a page that is only scripted through window.tabgres keeps all its
 *     backends free. It is given back (release, an open transaction rolls
 *     back) when the panel closes, and forgotten after the postmaster
 *     reports it gone (57P01/57P02/08006: a crash restart or a
 *     termination), so the next Run takes a new one.
 *  2. One statement script runs at a time per session (Run is disabled
 *     while one runs), as one connection has one query in flight.
 *  3. An error's position is 1-based in the text sent (PostgreSQL's
 *     convention), which is the editor's whole text: offset = position - 1.
 */

import { basicSetup, EditorView } from 'codemirror';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import { Prec, StateEffect, StateField } from '@codemirror/state';
import { Decoration, keymap, type DecorationSet } from '@codemirror/view';
import type { PostmasterCore, Session } from '@tabgres/worker-host/browser';

/** The mark under the character an error points at; cleared by the next Run or an edit. */
const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorMark = Decoration.mark({ class: 'cm-pg-error' });
const errorMarkField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = tr.docChanged ? Decoration.none : marks.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setErrorMark)) next = e.value === null ? Decoration.none : Decoration.set([errorMark.range(e.value.from, e.value.to)]);
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

interface PgErrorLike {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  position?: number;
}

export interface ResultLike {
  command: string;
  commandTag?: string;
  rowCount: number;
  fields: { name: string }[];
  rows: Record<string, unknown>[];
}

/** SQLSTATEs after which the backend of a session is gone (rule 1). */
const BACKEND_GONE = new Set(['57P01', '57P02', '57P03', '08006', '08003']);

/** PostgreSQL's command tag ("INSERT 0 n", "CREATE TABLE"): the engine's, else made from the first word and the row count. */
export function commandTag(r: ResultLike): string {
  if (typeof r.commandTag === 'string' && r.commandTag !== '') return r.commandTag;
  const c = r.command.toUpperCase();
  if (c === 'INSERT') return `INSERT 0 ${r.rowCount}`;
  if (['SELECT', 'UPDATE', 'DELETE', 'MERGE', 'FETCH', 'MOVE', 'COPY'].includes(c)) return `${c} ${r.rowCount}`;
  return c;
}

function formatValue(v: unknown): string {
  if (v instanceof Uint8Array) return '\\x' + Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
  if (typeof v === 'object' && v !== null && !(v instanceof Date)) return JSON.stringify(v);
  return String(v);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class SessionPanel {
  readonly element: HTMLElement;
  readonly editor: EditorView;
  private readonly runButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly statusLine: HTMLElement;
  private readonly output: HTMLElement;
  private session: Session | null = null;
  /** The script of the last Run (journey_view.ts shows its last statement's journey). */
  lastScript: string | null = null;
  private connecting: Promise<Session> | null = null;
  private running = false;

  constructor(
    readonly index: number,
    private readonly postmaster: () => Promise<PostmasterCore>,
    initialSql: string,
    onClose: ((p: SessionPanel) => void) | null,
  ) {
    this.element = el('section', 'session');
    this.element.dataset.session = String(index);
    const head = el('header');
    head.append(el('h2', undefined, `session ${index}`));
    this.statusLine = el('span', 'status', 'no backend yet (taken at the first Run)');
    head.append(this.statusLine);
    if (onClose !== null) {
      const close = el('button', 'close', '×');
      close.title = 'close this session (its backend is given back; an open transaction rolls back)';
      close.addEventListener('click', () => {
        void this.release();
        onClose(this);
      });
      head.append(close);
    }
    const editorHost = el('div', 'editor');
    this.editor = new EditorView({
      doc: initialSql,
      parent: editorHost,
      extensions: [
        basicSetup,
        EditorView.lineWrapping,
        sql({ dialect: PostgreSQL }),
        errorMarkField,
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { void this.run(); return true; } }])),
      ],
    });
    const buttons = el('div', 'buttons');
    this.runButton = el('button', 'run', 'Run');
    this.runButton.title = 'Ctrl/Cmd-Enter';
    this.runButton.addEventListener('click', () => void this.run());
    this.cancelButton = el('button', 'cancel', 'Cancel');
    this.cancelButton.disabled = true;
    this.cancelButton.title = "cancel the running statement (pg_cancel_backend of this session's backend)";
    this.cancelButton.addEventListener('click', () => void this.cancel());
    buttons.append(this.runButton, this.cancelButton);
    this.output = el('div', 'output');
    this.element.append(head, editorHost, buttons, this.output);
  }

  /** The backend's pid, or null before the first Run. */
  get pid(): number | null {
    return this.session?.pid ?? null;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private async backend(): Promise<Session> {
    if (this.session !== null) return this.session;
    this.connecting ??= (async () => {
      this.statusLine.textContent = 'waiting for a free backend…';
      const pm = await this.postmaster();
      const s = await pm.connect();
      this.session = s;
      return s;
    })().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  /** Runs the editor's text as one script (the simple protocol) on this session's backend. */
  async run(): Promise<void> {
    if (this.running) return;
    const text = this.editor.state.doc.toString();
    this.lastScript = text;
    this.editor.dispatch({ effects: setErrorMark.of(null) });
    this.running = true;
    this.element.dataset.running = 'true';
    this.runButton.disabled = true;
    this.cancelButton.disabled = false;
    this.output.replaceChildren(el('p', 'pending', 'running…'));
    let t0 = performance.now();
    try {
      const s = await this.backend();
      t0 = performance.now();
      const results = (await s.exec(text)) as unknown as ResultLike[];
      this.showResults(results, performance.now() - t0);
    } catch (e) {
      this.showError(e as PgErrorLike, text, performance.now() - t0);
      if (BACKEND_GONE.has(String((e as PgErrorLike).code))) this.session = null;
    } finally {
      this.running = false;
      this.element.dataset.running = 'false';
      this.runButton.disabled = false;
      this.cancelButton.disabled = true;
    }
  }

  /**
   * One statement on this session's own backend (its transaction, its
   * snapshot), for the journey view's EXPLAIN; refused while a script runs
   * (rule 2) or before the first Run (rule 1).
   */
  async queryOnBackend(sqlText: string, params: unknown[] = []): Promise<ResultLike> {
    if (this.session === null) throw new Error('this session has no backend yet: Run something first');
    if (this.running) throw new Error('this session is running a statement; try again when it is done');
    return (await this.session.query(sqlText, params)) as unknown as ResultLike;
  }

  /** The postmaster's cancel of this session's backend: the running statement ends with 57014. */
  async cancel(): Promise<void> {
    if (this.session === null || !this.running) return;
    (await this.postmaster()).cancel(this.session.pid);
  }

  async release(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.release().catch(() => undefined);
  }

  /** Shows the backend's state as read from shared memory (main.ts's refresh). */
  showActivity(a: { state: string | null; waitingForLock: boolean } | undefined): void {
    if (this.session === null) {
      if (this.connecting === null) this.statusLine.textContent = 'no backend yet (taken at the first Run)';
      this.element.dataset.tx = '';
      this.element.dataset.waiting = 'false';
      return;
    }
    const st = a?.state ?? null;
    const tx = st === 'idle in transaction' ? 'in transaction'
      : st === 'idle in transaction (aborted)' ? 'aborted'
        : st === 'idle' ? 'idle'
          : this.element.dataset.tx ?? ''; // while active: the state before the statement began
    const waiting = a?.waitingForLock === true;
    this.element.dataset.tx = tx;
    this.element.dataset.waiting = String(waiting);
    this.statusLine.replaceChildren(
      el('span', 'pid', `pid ${this.session.pid}`),
      ...(tx === '' ? [] : [el('span', `tx tx-${tx.replace(/ /g, '-')}`, tx)]),
      ...(st === 'active' ? [el('span', waiting ? 'waiting' : 'active', waiting ? 'waiting for a lock' : 'running')] : []),
    );
  }

  private showResults(results: ResultLike[], ms: number): void {
    const out: HTMLElement[] = [];
    for (const r of results) {
      const block = el('div', 'result');
      if (r.fields.length > 0) {
        const table = el('table');
        const head = table.createTHead().insertRow();
        for (const f of r.fields) head.append(el('th', undefined, f.name));
        const body = table.createTBody();
        for (const row of r.rows) {
          const tr = body.insertRow();
          for (const f of r.fields) {
            const v = row[f.name];
            const td = tr.insertCell();
            if (v === null || v === undefined) {
              td.className = 'null';
              td.textContent = 'NULL';
            } else {
              td.textContent = formatValue(v);
            }
          }
        }
        block.append(table);
      }
      block.append(el('p', 'tag', commandTag(r)));
      out.push(block);
    }
    out.push(el('p', 'timing', `${results.length} statement${results.length === 1 ? '' : 's'}, ${ms.toFixed(1)} ms`));
    this.output.replaceChildren(...out);
  }

  private showError(e: PgErrorLike, text: string, ms: number): void {
    const box = el('div', 'error');
    const head = el('p', 'message');
    head.append(el('span', 'severity', 'ERROR:'), ' ', el('code', 'sqlstate', e.code ?? '?????'), ' ', e.message ?? String(e));
    box.append(head);
    if (e.detail) box.append(el('p', 'detail', `DETAIL: ${e.detail}`));
    if (e.hint) box.append(el('p', 'hint', `HINT: ${e.hint}`));
    if (typeof e.position === 'number' && e.position > 0 && e.position <= text.length + 1) {
      const from = Math.min(e.position - 1, text.length);
      // Underline the token the position points at (to the next space or punctuation), at least one character.
      let to = from;
      while (to < text.length && /[\w$."]/.test(text[to])) to++;
      if (to === from) to = Math.min(from + 1, text.length);
      if (to > from) {
        this.editor.dispatch({ effects: setErrorMark.of({ from, to }), selection: { anchor: from } });
      }
      const line = this.editor.state.doc.lineAt(from);
      box.append(el('p', 'position', `at character ${e.position} (line ${line.number}, column ${from - line.from + 1})`));
    }
    box.append(el('p', 'timing', `${ms.toFixed(1)} ms`));
    this.output.replaceChildren(box);
  }
}
