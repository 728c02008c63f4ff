/*
 * main.ts — the playground page: starts a postmaster on OPFS, exposes it as
 * `window.tabgres`, and lays out the sessions side by side
 * (session_panel.ts) and the internals views (buffer_grid.ts,
 * locks_view.ts, journey_view.ts, page_inspector.ts) that main.ts refreshes from shared memory
 * (shmem_view.ts) or with SQL.
 *
 * URL parameters: ?db=NAME (a database of the origin's registry,
 * worker-host's db_registry.ts: its OPFS folder is "tabgres/NAME"; created
 * when missing; the last one opened, else "playground", by default),
 * ?sample=NAME (run that sample's script once the database runs: the
 * picker's one-click samples, database_picker.ts), ?shared_buffers=N (pages, 2048 by default),
 * ?backends=N (3 by default: the two sessions
 * and one free backend for window.tabgres.query and the locks view),
 * ?opfs=exclusive (force one shared OPFS I/O worker instead of the
 * detected way, to compare).
 *
 * window.tabgres:
 *   ready               settles when the postmaster runs (rejects with its start error)
 *   query(sql, params)  one statement on any free backend (PostmasterCore.query)
 *   exec(sql)           a script (the simple protocol)
 *   connect()           a session pinned to one backend until release()
 *   postmaster          the PostmasterCore itself
 *   opfsAccessMode      'readwrite-unsafe' or 'exclusive' (how backends share files)
 *   crashBackend(pid)   ends that backend's worker at once (SIGKILL's equivalent):
 *                       the postmaster restarts the instance through crash recovery
 *                       (the test hook for "crash the tab's workers")
 *   sessions            the page's session panels (their editors, run(), pid)
 *   journey             the query journey view (journey_view.ts): show(analyze, session)
 *   pageInspector       the page inspector (page_inspector.ts): relation, block, refresh()
 *   wal                 the WAL stream (wal_view.ts): refresh(), live, total
 *   btree               the B-tree view (btree_view.ts): show(index, block), refresh()
 *   snapshots           snapshots and visibility per session (snapshot_view.ts): table, refresh()
 *   lessons             the guided lessons' side panel (lesson_panel.ts over lessons.ts): open(id, step)
 *   crashWorkers()      ends every backend worker at once; resolves after the restart (the lesson's button)
 *   database            the name of the database this page runs
 *   databases           the registry (list, create, delete, export, import) and the picker
 *   persisted           navigator.storage.persist()'s answer (null: no Storage API)
 *   closeCurrent()      releases the sessions and shuts the postmaster down (export does,
 *                       then opens the database again in the page)
 *
 * Refresh: one timer while the page is visible; the session panels' state
 * (transaction state, lock wait) and the buffer grid are read from shared
 * memory every tick (no backend involved); the locks view asks SQL at most
 * twice a second and only while it is the view shown.
 */

import {
  createDatabase, deleteDatabase, exportDatabase, getDatabase, importDatabase, listDatabases, openBrowserDatabase, storagePersistence,
  type BrowserPostmaster,
} from '@tabgres/worker-host/browser';
import type { PostmasterCore } from '@tabgres/worker-host/browser';
import { BufferGrid } from './buffer_grid.ts';
import { DatabasePicker } from './database_picker.ts';
import { SAMPLES } from './samples.ts';
import { LocksView } from './locks_view.ts';
import { JourneyView } from './journey_view.ts';
import { PageInspector } from './page_inspector.ts';
import { WalView } from './wal_view.ts';
import { BtreeView } from './btree_view.ts';
import { SnapshotView } from './snapshot_view.ts';
import { LessonPanel, crashBackendWorkers, type CrashReport } from './lesson_panel.ts';
import { SessionPanel } from './session_panel.ts';
import { readBackendActivity, readBufferPool } from './shmem_view.ts';

interface TabgresWindowApi {
  ready: Promise<void>;
  postmaster: PostmasterCore | null;
  opfsAccessMode: string | null;
  dataDir: string;
  query: PostmasterCore['query'];
  exec: PostmasterCore['exec'];
  connect: PostmasterCore['connect'];
  crashBackend(pid: number): Promise<boolean>;
  sessions: SessionPanel[];
  journey: JourneyView | null;
  pageInspector: PageInspector | null;
  wal: WalView | null;
  btree: BtreeView | null;
  snapshots: SnapshotView | null;
  lessons: LessonPanel | null;
  crashWorkers(): Promise<CrashReport>;
  database: string;
  databases: {
    list: typeof listDatabases;
    create: typeof createDatabase;
    delete: typeof deleteDatabase;
    export: typeof exportDatabase;
    import: typeof importDatabase;
    picker: DatabasePicker;
  } | null;
  persisted: boolean | null;
  closeCurrent(): Promise<void>;
}

declare global {
  interface Window {
    tabgres: TabgresWindowApi;
  }
}

const params = new URLSearchParams(location.search);
const LAST_DATABASE_KEY = 'tabgres.lastDatabase';
const database = params.get('db') ?? localStorage.getItem(LAST_DATABASE_KEY) ?? 'playground';
const dataDir = `tabgres/${database}`;
const sample = SAMPLES.find((s) => s.name === params.get('sample'));
const backends = Number(params.get('backends') ?? '3');
// 16 MB of shared buffers (PostgreSQL's default is 128 MB): 2048 cells keep the buffer grid readable
// and let eviction and the clock hand show with tables a lesson builds. ?shared_buffers=N (pages) overrides.
const sharedBuffers = Number(params.get('shared_buffers') ?? '2048');
const forcedMode = params.get('opfs') === 'exclusive' ? 'exclusive' : undefined;
const status = document.getElementById('status') as HTMLElement;

let started: BrowserPostmaster | null = null;
const pm = (): PostmasterCore => {
  if (started === null) throw new Error('tabgres is not running (await window.tabgres.ready)');
  return started.postmaster;
};

const api: TabgresWindowApi = {
  ready: Promise.resolve(),
  postmaster: null,
  opfsAccessMode: null,
  dataDir,
  query: ((sql: string, p?: unknown[]) => pm().query(sql, p)) as PostmasterCore['query'],
  exec: ((sql: string) => pm().exec(sql)) as PostmasterCore['exec'],
  connect: () => pm().connect(),
  async crashBackend(pid: number): Promise<boolean> {
    const w = pm().workerOf(pid);
    if (w === undefined) return false;
    await w.terminate();
    return true;
  },
  sessions: [],
  journey: null,
  pageInspector: null,
  wal: null,
  btree: null,
  snapshots: null,
  lessons: null,
  crashWorkers: () => crashBackendWorkers(pm(), api.sessions),
  database,
  databases: null,
  persisted: null,
  async closeCurrent(): Promise<void> {
    await api.ready.catch(() => undefined);
    for (const p of api.sessions) await p.release();
    const s = started;
    started = null;
    api.postmaster = null;
    await s?.postmaster.close();
    status.textContent = `closed database "${database}"`;
  },
};
window.tabgres = api;

const picker = new DatabasePicker(database, () => api.closeCurrent(), async () => {
  await startDatabase();
  api.ready = Promise.resolve();
});
api.databases = { list: listDatabases, create: createDatabase, delete: deleteDatabase, export: exportDatabase, import: importDatabase, picker };
status.after(picker.element);

/** Opens the page's database (again, after closeCurrent): the postmaster, window.tabgres, the status line. */
async function startDatabase(): Promise<void> {
  const t0 = performance.now();
  try {
    started = await openBrowserDatabase(database, { create: true, backends, sharedBuffers, ...(forcedMode !== undefined ? { opfsAccessMode: forcedMode } : {}) });
  } catch (e) {
    void picker.refresh().catch(() => undefined);
    const msg = e instanceof Error ? e.message : String(e);
    const hint = typeof e === 'object' && e !== null && 'hint' in e ? String((e as { hint: unknown }).hint) : '';
    status.textContent = `could not start: ${msg}${hint ? ` (${hint})` : ''}`;
    status.className = 'error';
    throw e;
  }
  api.postmaster = started.postmaster;
  api.opfsAccessMode = started.opfsAccessMode;
  status.className = '';
  status.textContent = `running: database "${database}", ${backends} backends on OPFS "${dataDir}", files shared by ${started.opfsAccessMode === 'readwrite-unsafe' ? "readwrite-unsafe handles" : 'one I/O worker'}; started in ${Math.round(performance.now() - t0)} ms`;
}

api.ready = (async () => {
  await startDatabase();
  localStorage.setItem(LAST_DATABASE_KEY, database);
  // Asked by the registry at the first open of the page (db_registry.ts rule 4).
  const persisted = await storagePersistence();
  api.persisted = persisted;
  picker.persistence.textContent = `storage: ${persisted === true ? 'persistent (navigator.storage.persist() granted)' : persisted === false ? 'best-effort: the browser may evict it under storage pressure (persist() not granted)' : 'no Storage API'}`;
  picker.persistence.dataset.persisted = String(persisted);
  if (sample !== undefined) await loadSample();
  // The list is not needed to run SQL: its failure is shown, not thrown.
  await picker.refresh().catch((e: unknown) => console.warn('databases list:', e));
})();

/** ?sample=NAME: the sample's script, once, into a database the picker made for it. */
async function loadSample(): Promise<void> {
  if (sample === undefined) return;
  const entry = await getDatabase(database);
  if (entry?.settings.sample !== sample.name) return;
  const t0 = performance.now();
  status.textContent = `loading sample "${sample.name}"…`;
  try {
    await pm().exec(sample.sql);
    status.textContent = `running: database "${database}" with sample "${sample.name}" loaded in ${Math.round(performance.now() - t0)} ms; its script's first comment says what to try`;
    status.dataset.sample = 'loaded';
  } catch (e) {
    status.textContent = `could not load sample "${sample.name}": ${e instanceof Error ? e.message : String(e)}`;
    status.className = 'error';
  }
  const u = new URL(location.href);
  u.searchParams.delete('sample');
  history.replaceState(null, '', u.toString());
  // The sample's header comment (what to try) in session 1's editor.
  const comment = sample.sql.split('\n').filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('--') || x.trim() === '')).join('\n').trim();
  const editor = api.sessions[0]?.editor;
  editor?.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: `${comment}\n` } });
}
api.ready.catch(() => undefined);

/* ---- sessions ---- */

const sessionsHost = document.getElementById('sessions') as HTMLElement;
const postmaster = async (): Promise<PostmasterCore> => {
  await api.ready;
  return pm();
};
const STARTERS = [
  "CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, owner text, balance int);\nINSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 50), (3, 'carol', NULL)\n  ON CONFLICT (id) DO NOTHING;\nSELECT * FROM accounts ORDER BY id;",
  'BEGIN;\nUPDATE accounts SET balance = balance - 10 WHERE id = 1;\n-- now run an UPDATE of row 1 in the other session: it waits\n-- until this one runs COMMIT or ROLLBACK',
];
let nextSession = 1;
function addSession(sqlText: string, closable: boolean): SessionPanel {
  const panel = new SessionPanel(nextSession++, postmaster, sqlText, closable ? (p) => {
    api.sessions = api.sessions.filter((x) => x !== p);
    p.element.remove();
  } : null);
  api.sessions.push(panel);
  sessionsHost.append(panel.element);
  return panel;
}
addSession(STARTERS[0], false);
addSession(STARTERS[1], false);
(document.getElementById('add-session') as HTMLButtonElement).addEventListener('click', () => {
  addSession('SELECT pid, state, wait_event_type, query FROM pg_stat_activity;', true);
});

/* ---- internals ---- */

const grid = new BufferGrid();
const locks = new LocksView((sqlText) => api.query(sqlText));
(document.getElementById('view-buffers') as HTMLElement).append(grid.element);
(document.getElementById('view-locks') as HTMLElement).append(locks.element);
const journey = new JourneyView(() => api.sessions);
const inspector = new PageInspector((sqlText, p) => api.query(sqlText, p));
api.journey = journey;
api.pageInspector = inspector;
(document.getElementById('view-journey') as HTMLElement).append(journey.element);
(document.getElementById('view-page') as HTMLElement).append(inspector.element);
const btree = new BtreeView((sqlText, p) => api.query(sqlText, p));
const snapshots = new SnapshotView(() => api.sessions, (sqlText, p) => api.query(sqlText, p));
// A WAL record's block reference opens the page: a table's in the page inspector, an index's in the B-tree view.
const wal = new WalView((sqlText, p) => api.query(sqlText, p), (relname, relkind, block) => {
  if (relkind === 'i') {
    showView('btree');
    void btree.show(relname, block);
  } else {
    inspector.relation.value = relname;
    inspector.block.value = String(block);
    showView('page');
    void inspector.refresh();
  }
});
api.wal = wal;
api.btree = btree;
api.snapshots = snapshots;
(document.getElementById('view-wal') as HTMLElement).append(wal.element);
(document.getElementById('view-btree') as HTMLElement).append(btree.element);
(document.getElementById('view-snapshots') as HTMLElement).append(snapshots.element);
let shownView = 'buffers';
function showView(name: string): void {
  shownView = name;
  for (const t of document.querySelectorAll<HTMLButtonElement>('#internals-tabs button')) t.classList.toggle('active', t.dataset.view === name);
  for (const v of document.querySelectorAll<HTMLElement>('.view')) v.hidden = v.id !== `view-${shownView}`;
  if (shownView === 'locks') void locks.refresh();
  if (shownView === 'journey') journey.refreshPicker();
  if (shownView === 'wal') void wal.refresh();
  if (shownView === 'snapshots') void snapshots.refresh();
}
for (const tab of document.querySelectorAll<HTMLButtonElement>('#internals-tabs button')) {
  tab.addEventListener('click', () => showView(tab.dataset.view ?? 'buffers'));
}

const TICK_MS = 100;
const LOCKS_EVERY_MS = 500;
let lastLocks = 0;
const PAGE_EVERY_MS = 500;
let lastPage = 0;
const WAL_EVERY_MS = 500;
let lastWal = 0;
function tick(): void {
  const shmem = started?.postmaster.sharedMemory ?? null;
  if (shmem !== null && !document.hidden) {
    try {
      const activity = readBackendActivity(shmem);
      for (const p of api.sessions) p.showActivity(p.pid === null ? undefined : activity.get(p.pid));
      if (shownView === 'buffers') grid.update(readBufferPool(shmem));
      const now = performance.now();
      if (shownView === 'locks' && now - lastLocks >= LOCKS_EVERY_MS) {
        lastLocks = now;
        void locks.refresh();
      }
      if (shownView === 'wal' && wal.live.checked && now - lastWal >= WAL_EVERY_MS) {
        lastWal = now;
        void wal.refresh();
      }
      if (shownView === 'page' && inspector.live.checked && now - lastPage >= PAGE_EVERY_MS) {
        lastPage = now;
        void inspector.refresh();
      }
    } catch (e) {
      // A segment being replaced by a crash restart: the next tick reads the new one.
      console.warn('playground refresh:', e);
    }
  }
  setTimeout(() => requestAnimationFrame(tick), TICK_MS);
}
api.ready.then(() => requestAnimationFrame(tick), () => undefined);

/* ---- lessons (lesson_panel.ts, lessons.ts): a side panel, opened by the bar's button ---- */

const lessonPanel = new LessonPanel({
  sessions: () => api.sessions,
  crashWorkers: () => api.crashWorkers(),
  async openView(v) {
    // The view's inputs first: showing the snapshots view refreshes it.
    if (v.view === 'page') {
      inspector.relation.value = v.relation;
      inspector.block.value = String(v.block);
    } else if (v.view === 'snapshots') {
      snapshots.table.value = v.table;
    }
    showView(v.view);
    if (v.view === 'page') await inspector.refresh();
    if (v.view === 'journey') await journey.show(v.analyze, v.session);
  },
});
api.lessons = lessonPanel;
const lessonsAside = document.getElementById('lessons') as HTMLElement;
lessonsAside.append(lessonPanel.element);
(document.getElementById('lessons-toggle') as HTMLButtonElement).addEventListener('click', () => {
  lessonsAside.hidden = !lessonsAside.hidden;
  document.body.classList.toggle('with-lessons', !lessonsAside.hidden);
});
