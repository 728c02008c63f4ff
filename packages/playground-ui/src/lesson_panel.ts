/*
 * lesson_panel.ts — the guided lessons' side panel: any lesson of
 * lessons.ts drawn as steps (title, a few sentences, the SQL with a "run
 * this" button per session, what to look at with a button opening that
 * internals view, and the crash button of the WAL lesson), with previous /
 * next. It knows nothing of a particular lesson.
 *
 * Exports: LessonPanel, crashBackendWorkers, CrashReport, LessonHost.
 *
 * Rules:
 *  1. "run this" replaces the session's editor text with the step's SQL and
 *     runs it as the session's Run does (SessionPanel.run), so what the
 *     lesson ran is in the editor to read and change; a session still
 *     running its statement is not touched (one statement at a time, as a
 *     connection has), the panel says so.
 *  2. The step's view opens after its run settles; for the locks view after
 *     a short while instead, as that statement may be the one that waits
 *     (lessons.ts rule 2), and the locks view is live.
 *  3. The crash button is crashBackendWorkers: the path the end-to-end
 *     crash test uses (a backend worker ended at once, the postmaster's
 *     HandleChildCrash restart through recovery), applied to every backend.
 */

import type { PostmasterCore } from '@tabgres/worker-host/browser';
import { LESSONS, type Lesson, type LessonView } from './lessons.ts';
import type { SessionPanel } from './session_panel.ts';

export interface CrashReport {
  /** The backend pids whose workers were ended. */
  killed: number[];
  /** The backend pids after the restart (new workers, new pids). */
  pids: number[];
  restarts: number;
  /** The restart's startup replayed WAL (crash recovery ran). */
  recovered: boolean;
  ms: number;
}

/** What the panel needs from the page. */
export interface LessonHost {
  sessions(): SessionPanel[];
  openView(v: LessonView): Promise<void>;
  crashWorkers(): Promise<CrashReport>;
}

const CRASH_GONE = new Set(['57P01', '57P02', '57P03', '08006']);

/**
 * Ends every backend worker at once (kill -9's equivalent, rule 3), then
 * waits until the restarted instance answers a query. The sessions' pinned
 * backends are gone with it: they are released, so their next Run takes a
 * new one.
 */
export async function crashBackendWorkers(pm: PostmasterCore, sessions: SessionPanel[]): Promise<CrashReport> {
  const t0 = performance.now();
  const before = pm.restarts;
  const killed = pm.backendPids;
  await Promise.all(killed.map((pid) => pm.workerOf(pid)?.terminate()));
  for (const s of sessions) await s.release();
  // New callers wait for the restart (postmaster.ts rule 4); a call that raced the crash gets 57P0x: ask again.
  for (let attempt = 0; ; attempt++) {
    try {
      await pm.query('SELECT 1');
      break;
    } catch (e) {
      if (attempt >= 5 || !CRASH_GONE.has(String((e as { code?: string }).code))) throw e;
    }
  }
  if (pm.restarts === before) throw new Error('the postmaster did not restart');
  return { killed, pids: pm.backendPids, restarts: pm.restarts, recovered: pm.lastStartupRecovered, ms: performance.now() - t0 };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const VIEW_NAMES: Record<LessonView['view'], string> = {
  locks: 'locks (wait-for graph)', wal: 'WAL stream', buffers: 'buffer pool', page: 'page inspector', journey: 'query journey', snapshots: 'snapshots',
};

export class LessonPanel {
  readonly element: HTMLElement;
  private readonly picker: HTMLSelectElement;
  private readonly body: HTMLElement;
  lesson: Lesson = LESSONS[0];
  step = 0;

  constructor(private readonly host: LessonHost, readonly lessons: Lesson[] = LESSONS) {
    this.element = el('div', 'lesson-panel');
    const head = el('header');
    head.append(el('h2', undefined, 'lessons'));
    this.picker = el('select', 'lesson-picker');
    for (const l of lessons) {
      const o = el('option', undefined, l.title);
      o.value = l.id;
      this.picker.append(o);
    }
    this.picker.addEventListener('change', () => this.open(this.picker.value));
    head.append(this.picker);
    this.body = el('div', 'lesson-body');
    this.element.append(head, this.body);
    this.render();
  }

  /** Opens a lesson at a step (0-based). */
  open(id: string, step = 0): void {
    const l = this.lessons.find((x) => x.id === id);
    if (l === undefined) throw new Error(`no lesson "${id}"`);
    this.lesson = l;
    this.picker.value = id;
    this.step = Math.max(0, Math.min(step, l.steps.length - 1));
    this.render();
  }

  private go(step: number): void {
    this.step = Math.max(0, Math.min(step, this.lesson.steps.length - 1));
    this.render();
  }

  private render(): void {
    const l = this.lesson;
    const s = l.steps[this.step];
    this.element.dataset.lesson = l.id;
    this.element.dataset.step = String(this.step + 1);
    const out: HTMLElement[] = [];
    if (this.step === 0) out.push(el('p', 'lesson-summary', l.summary));
    out.push(el('p', 'lesson-progress', `step ${this.step + 1} of ${l.steps.length}`));
    out.push(el('h3', 'lesson-step-title', s.title));
    out.push(el('p', 'lesson-text', s.text));
    const message = el('p', 'lesson-message');
    for (const q of s.sql) {
      const box = el('div', 'lesson-sql');
      box.dataset.session = String(q.session);
      const bar = el('div', 'lesson-sql-head');
      const run = el('button', 'lesson-run', 'run this');
      run.title = `puts this SQL into session ${q.session}'s editor and runs it`;
      run.dataset.session = String(q.session);
      run.addEventListener('click', () => void this.run(q.session, q.sql, s.show, message));
      bar.append(el('strong', undefined, `session ${q.session}`), run);
      box.append(bar, el('pre', 'lesson-code', q.sql));
      out.push(box);
    }
    if (s.action === 'crash') {
      const crash = el('button', 'lesson-crash', "crash the tab's workers");
      crash.title = 'ends every backend worker at once (kill -9); the postmaster restarts the instance through crash recovery';
      const result = el('p', 'lesson-crash-result');
      crash.addEventListener('click', () => {
        crash.disabled = true;
        result.textContent = 'killing the backend workers…';
        this.host.crashWorkers().then((r) => {
          result.dataset.restarts = String(r.restarts);
          result.dataset.recovered = String(r.recovered);
          result.textContent = `killed ${r.killed.length} backend workers (pids ${r.killed.join(', ')}); the postmaster restarted the instance `
            + `(restart #${r.restarts}, ${r.recovered ? 'crash recovery replayed the WAL' : 'no WAL to replay'}) in ${Math.round(r.ms)} ms; new backends: pids ${r.pids.join(', ')}`;
        }, (e: unknown) => {
          result.className = 'lesson-crash-result error';
          result.textContent = `the crash did not go as expected: ${e instanceof Error ? e.message : String(e)}`;
        }).finally(() => { crash.disabled = false; });
      });
      out.push(crash, result);
    }
    const look = el('div', 'lesson-look');
    look.append(el('strong', undefined, 'Look: '), s.look);
    if (s.show !== undefined) {
      const view = s.show;
      const b = el('button', 'lesson-show', `open the ${VIEW_NAMES[view.view]} view`);
      b.addEventListener('click', () => void this.host.openView(view).catch((e: unknown) => { message.textContent = String(e); }));
      look.append(' ', b);
    }
    out.push(look, message);
    const nav = el('div', 'lesson-nav');
    const prev = el('button', 'lesson-prev', '← previous');
    prev.disabled = this.step === 0;
    prev.addEventListener('click', () => this.go(this.step - 1));
    const next = el('button', 'lesson-next', 'next →');
    next.disabled = this.step === l.steps.length - 1;
    next.addEventListener('click', () => this.go(this.step + 1));
    nav.append(prev, next);
    out.push(nav);
    this.body.replaceChildren(...out);
  }

  /** Rule 1 and 2: the SQL into the session's editor, run, then the step's view. */
  private async run(n: number, sqlText: string, show: LessonView | undefined, message: HTMLElement): Promise<void> {
    const panel = this.host.sessions().find((p) => p.index === n);
    if (panel === undefined) {
      message.textContent = `session ${n} is closed; the lessons use sessions 1 and 2`;
      return;
    }
    if (panel.isRunning) {
      message.textContent = `session ${n} is still running its statement (waiting for a lock?); run this when it is done`;
      return;
    }
    message.textContent = '';
    panel.editor.dispatch({ changes: { from: 0, to: panel.editor.state.doc.length, insert: sqlText } });
    const done = panel.run();
    if (show === undefined) return done;
    if (show.view === 'locks') await Promise.race([done, new Promise((r) => setTimeout(r, 300))]);
    else await done;
    await this.host.openView(show).catch((e: unknown) => { message.textContent = String(e); });
  }
}
