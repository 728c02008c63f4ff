/*
 * main.ts — the playground page: starts a postmaster on OPFS, exposes it as
 * `window.tabgres`, and lays out the sessions side by side
 * (session_panel.ts) and the internals views (buffer_grid.ts,
 * locks_view.ts, journey_view.ts, page_inspector.ts) that main.ts refreshes from shared memory
 * (shmem_view.ts) or with SQL.
 *
 * URL parameters: ?db=NAME (the OPFS data directory, "tabgres/NAME";
 * "playground" by default), ?backends=N (3 by default: the two sessions
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
 *
 * Refresh: one timer while the page is visible; the session panels' state
 * (transaction state, lock wait) and the buffer grid are read from shared
 * memory every tick (no backend involved); the locks view asks SQL at most
 * twice a second and only while it is the view shown.
 */

import { startBrowserPostmaster, type BrowserPostmaster } from '@tabgres/worker-host/browser';
import type { PostmasterCore } from '@tabgres/worker-host/browser';
import { BufferGrid } from './buffer_grid.ts';
import { LocksView } from './locks_view.ts';
import { JourneyView } from './journey_view.ts';
import { PageInspector } from './page_inspector.ts';
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
}

declare global {
  interface Window {
    tabgres: TabgresWindowApi;
  }
}

const params = new URLSearchParams(location.search);
const dataDir = `tabgres/${params.get('db') ?? 'playground'}`;
const backends = Number(params.get('backends') ?? '3');
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
};
window.tabgres = api;

api.ready = (async () => {
  const t0 = performance.now();
  // Ask that the origin's storage not be evicted under pressure (best effort: the browser decides).
  const persisted = await navigator.storage.persist?.().catch(() => false);
  try {
    started = await startBrowserPostmaster({ dataDir, backends, ...(forcedMode !== undefined ? { opfsAccessMode: forcedMode } : {}) });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hint = typeof e === 'object' && e !== null && 'hint' in e ? String((e as { hint: unknown }).hint) : '';
    status.textContent = `could not start: ${msg}${hint ? ` (${hint})` : ''}`;
    status.className = 'error';
    throw e;
  }
  api.postmaster = started.postmaster;
  api.opfsAccessMode = started.opfsAccessMode;
  status.textContent = `running: ${backends} backends on OPFS "${dataDir}", files shared by ${started.opfsAccessMode === 'readwrite-unsafe' ? "readwrite-unsafe handles" : 'one I/O worker'}; started in ${Math.round(performance.now() - t0)} ms; storage ${persisted === true ? 'persistent' : 'best-effort (may be evicted)'}`;
})();
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
let shownView = 'buffers';
for (const tab of document.querySelectorAll<HTMLButtonElement>('#internals-tabs button')) {
  tab.addEventListener('click', () => {
    shownView = tab.dataset.view ?? 'buffers';
    for (const t of document.querySelectorAll<HTMLButtonElement>('#internals-tabs button')) t.classList.toggle('active', t === tab);
    for (const v of document.querySelectorAll<HTMLElement>('.view')) v.hidden = v.id !== `view-${shownView}`;
    if (shownView === 'locks') void locks.refresh();
    if (shownView === 'journey') journey.refreshPicker();
  });
}

const TICK_MS = 100;
const LOCKS_EVERY_MS = 500;
let lastLocks = 0;
const PAGE_EVERY_MS = 500;
let lastPage = 0;
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
