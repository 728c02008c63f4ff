/*
 * db_registry.ts — the databases of a browser origin: which exist, their
 * settings and sizes (kept in IndexedDB with idb-keyval), each in its own
 * OPFS folder; opening one as a postmaster, deleting, exporting one as an
 * archive file and importing it back. `@tabgres/worker-host/browser`
 * re-exports it (platform_browser.ts is the other half of that entry).
 *
 * Exports: listDatabases, getDatabase, createDatabase, openDatabase,
 *          openBrowserDatabase, deleteDatabase,
 *          exportDatabase, importDatabase, storagePersistence,
 *          databaseDataDir, DatabaseEntry, DatabaseSettings, ListedDatabase,
 *          OpenDatabaseOptions
 *
 * Where things are:
 *
 *   IndexedDB "tabgres", object store "databases"   name -> DatabaseEntry
 *   OPFS tabgres/<name>/                             the data directory
 *   Web Lock "tabgres-database:<name>"               held while a postmaster
 *                                                    of any tab runs on it
 *
 * A database's life:
 *
 *   (none) ──createDatabase / importDatabase──► closed ──openDatabase──► open
 *     ▲                                          │  ▲                       │
 *     └──────────────deleteDatabase──────────────┘  └──── postmaster.close()┘
 *
 * createDatabase makes the entry and an empty folder; the first open runs
 * initdb in it (the postmaster does, as on an empty data directory).
 *
 * Rules:
 *  1. A postmaster of this module holds its database's Web Lock from before
 *     it starts until it has stopped (platform_browser.ts's onStop), in
 *     whichever tab of the origin it runs. deleteDatabase and
 *     exportDatabase take the same lock without waiting and refuse (55006
 *     object_in_use, PostgreSQL's DROP DATABASE wording) when it is held:
 *     files a backend is writing are never removed or copied.
 *  2. Export needs a clean shutdown (the archive is the files as they are,
 *     with no WAL replay: engine backup/basebackup.ts rule 1); a postmaster's
 *     close() writes the shutdown checkpoint. A database whose tab was
 *     closed was never shut down (pg_control says "in production"), so
 *     exportDatabase first starts it with one backend (crash recovery) and
 *     closes it (the shutdown checkpoint), then archives it.
 *  3. Import checks the whole archive first (basebackup.ts rule 2), then
 *     writes the folder, pg_control last, and only then adds the entry: a
 *     damaged archive creates nothing, and a write that fails (a full quota)
 *     removes the folder. A name in use (entry or folder) is 42P04. A tab
 *     that died in the middle of an import leaves a folder without an entry
 *     and without pg_control: create and import of that name discard it
 *     (discardLeftover); a folder without an entry but with pg_control (a
 *     database of a page from before the registry) is taken over by create.
 *  4. navigator.storage.persist() is asked once per page, at its first
 *     openDatabase; storagePersistence() gives the answer.
 *  5. Names are 1-63 characters of [A-Za-z0-9_.-] starting with a letter,
 *     digit or '_' (NAMEDATALEN - 1; they are OPFS folder names, which
 *     forbid '/' and '..').
 */

import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import { PgError, SQLSTATE, cleanlyShutDown, compressBaseBackup, decompressBaseBackup, makeBaseBackup, readBaseBackup } from '@tabgres/engine';
import {
  opfsFileExists, opfsFolderExists, opfsTreeSize, readOpfsTree, removeOpfsDataDir, retryWhileBusy, writeOpfsTree, type OpfsAccessMode,
} from '@tabgres/opfs-storage/browser';
import { startBrowserPostmaster, type BrowserPostmaster, type BrowserPostmasterOptions } from './platform_browser.ts';
import type { PostmasterCore } from './postmaster.ts';

/** What a database starts with (the postmaster's options), kept with it. */
export interface DatabaseSettings {
  /** Backend workers (max_connections). */
  backends?: number;
  /** shared_buffers in 8 KB pages. */
  sharedBuffers?: number;
  /** Force a way of sharing OPFS files; detected when absent. */
  opfsAccessMode?: OpfsAccessMode;
  /** The sample schema it was created from, if any (the playground's). */
  sample?: string;
}

export interface DatabaseEntry {
  name: string;
  /** When it was created or imported, ISO 8601. */
  created: string;
  /** Bytes of its files when last measured (listDatabases measures the closed ones). */
  sizeBytes: number;
  settings: DatabaseSettings;
}

export interface ListedDatabase extends DatabaseEntry {
  /** A postmaster runs on it, in this tab or another (rule 1). */
  open: boolean;
}

export interface OpenDatabaseOptions extends Omit<BrowserPostmasterOptions, 'dataDir' | 'onStop'> {
  /** Create the database when it does not exist (for ?db=NAME links). */
  create?: boolean;
}

const OPFS_FOLDER = 'tabgres';
const LOCK_PREFIX = 'tabgres-database:';
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;

let storeCache: UseStore | null = null;
const store = (): UseStore => (storeCache ??= createStore('tabgres', 'databases'));

/** The OPFS folder of a database. */
export function databaseDataDir(name: string): string {
  return `${OPFS_FOLDER}/${name}`;
}

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new PgError(SQLSTATE.invalid_parameter_value, `invalid database name "${name}"`, {
      detail: 'A database name is 1 to 63 letters, digits, "_", "." or "-", and starts with a letter, a digit or "_".',
    });
  }
}

const notFound = (name: string): PgError => new PgError('3D000', `database "${name}" does not exist`);

function inUse(name: string, what: string): PgError {
  return new PgError('55006', `database "${name}" is being accessed by other users`, {
    detail: 'A postmaster is running on it (in this tab or another).',
    hint: `Close the database before you ${what} it.`,
  });
}

/**
 * Takes the database's Web Lock if nobody holds it (rule 1); returns its
 * release, or null when it is held. The lock is held until release() is
 * called, however long that takes.
 */
function tryLock(name: string): Promise<(() => void) | null> {
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(LOCK_PREFIX + name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(null);
          return undefined;
        }
        return new Promise<void>((done) => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            done();
          });
        });
      })
      .catch(reject);
  });
}

/** Runs `fn` holding the database's lock; refuses when someone has it open. */
async function withLock<T>(name: string, what: string, fn: () => Promise<T>): Promise<T> {
  const release = await tryLock(name);
  if (release === null) throw inUse(name, what);
  try {
    return await fn();
  } finally {
    release();
  }
}

async function heldLocks(): Promise<Set<string>> {
  const q = await navigator.locks.query();
  return new Set((q.held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
}

/** Every database of the origin, by name, with the sizes of the closed ones measured now. */
export async function listDatabases(): Promise<ListedDatabase[]> {
  const entries = (await values<DatabaseEntry>(store())).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const open = await heldLocks();
  const out: ListedDatabase[] = [];
  for (const e of entries) {
    if (!open.has(e.name)) {
      // Rule 1 of opfs_tree.ts: only a closed database's files can be read.
      const size = await opfsTreeSize(databaseDataDir(e.name)).catch(() => e.sizeBytes);
      if (size !== e.sizeBytes) {
        e.sizeBytes = size;
        // Only a cache of the size: a full quota must not make the list fail.
        await set(e.name, e, store()).catch(() => undefined);
      }
    }
    out.push({ ...e, open: open.has(e.name) });
  }
  return out;
}

/** The entry of one database, or undefined. */
export async function getDatabase(name: string): Promise<DatabaseEntry | undefined> {
  return get<DatabaseEntry>(name, store());
}

/**
 * A new, empty database (initdb runs at its first open). A folder left by
 * a page from before the registry (?db=NAME) is taken over as it is.
 */
export async function createDatabase(name: string, settings: DatabaseSettings = {}): Promise<DatabaseEntry> {
  checkName(name);
  if ((await getDatabase(name)) !== undefined) throw new PgError('42P04', `database "${name}" already exists`);
  return withLock(name, 'create', async () => {
    if ((await getDatabase(name)) !== undefined) throw new PgError('42P04', `database "${name}" already exists`);
    await discardLeftover(name);
    const entry: DatabaseEntry = { name, created: new Date().toISOString(), sizeBytes: await opfsTreeSize(databaseDataDir(name)), settings };
    await set(name, entry, store());
    return entry;
  });
}

/**
 * Rule 3: a folder with no entry and no pg_control is what an import cut
 * short (or an initdb that never finished) left; removed. The caller holds
 * the database's lock and has seen no entry.
 */
async function discardLeftover(name: string): Promise<void> {
  const dir = databaseDataDir(name);
  if ((await opfsFolderExists(dir)) && !(await opfsFileExists(`${dir}/global/pg_control`))) {
    await retryWhileBusy(() => removeOpfsDataDir(dir));
  }
}

let persistence: Promise<boolean | null> | null = null;

/** Rule 4: true when the browser will not evict the origin's storage under pressure, null where there is no Storage API. */
export function storagePersistence(): Promise<boolean | null> {
  persistence ??= (async () => {
    if (navigator.storage?.persist === undefined) return null;
    try {
      return (await navigator.storage.persisted()) || (await navigator.storage.persist());
    } catch {
      return false;
    }
  })();
  return persistence;
}

/**
 * Starts a postmaster on the database (its settings, overridden by
 * `options`), holding its lock until the postmaster stops (rule 1).
 */
export async function openDatabase(name: string, options: OpenDatabaseOptions = {}): Promise<PostmasterCore> {
  return (await openBrowserDatabase(name, options)).postmaster;
}

/** openDatabase, with what the start found out about OPFS (the playground shows it). */
export async function openBrowserDatabase(name: string, options: OpenDatabaseOptions = {}): Promise<BrowserPostmaster> {
  checkName(name);
  const { create, ...overrides } = options;
  let entry = await getDatabase(name);
  if (entry === undefined) {
    if (create !== true) throw notFound(name);
    entry = await createDatabase(name);
  }
  const release = await tryLock(name);
  if (release === null) {
    throw new PgError('55006', `database "${name}" is being accessed by other users`, {
      detail: 'A postmaster is running on it in another tab of this origin.',
      hint: 'Close that tab, or open another database.',
    });
  }
  void storagePersistence();
  const { sample: _sample, ...postmasterSettings } = entry.settings;
  try {
    return await startBrowserPostmaster({ ...postmasterSettings, ...overrides, dataDir: databaseDataDir(name), onStop: release });
  } catch (e) {
    release();
    throw e;
  }
}

/** Removes the database's files and entry; refuses while it is open (rule 1). */
export async function deleteDatabase(name: string): Promise<void> {
  checkName(name);
  if ((await getDatabase(name)) === undefined) throw notFound(name);
  await withLock(name, 'delete', async () => {
    if (await opfsFolderExists(databaseDataDir(name))) await retryWhileBusy(() => removeOpfsDataDir(databaseDataDir(name)));
    await del(name, store());
  });
}

/**
 * The database as one gzipped ustar archive (engine backup/basebackup.ts):
 * refuses while it is open (rule 1) or when it was not shut down cleanly (rule 2).
 */
export async function exportDatabase(name: string): Promise<Uint8Array> {
  checkName(name);
  if ((await getDatabase(name)) === undefined) throw notFound(name);
  /** The archive, or null when the files need a start and a clean shutdown first (rule 2). */
  const attempt = (): Promise<Uint8Array | null> =>
    withLock(name, 'export', async () => {
      const files = await readOpfsTree(databaseDataDir(name));
      if (files.length === 0) {
        throw new PgError(SQLSTATE.object_not_in_prerequisite_state, `database "${name}" has no files yet`, { hint: 'Open it once, so that initdb runs.' });
      }
      return cleanlyShutDown(files) ? compressBaseBackup(makeBaseBackup(files)) : null;
    });
  const first = await attempt();
  if (first !== null) return first;
  const pm = await openDatabase(name, { backends: 1 });
  await pm.close();
  const second = await attempt();
  if (second === null) throw new PgError(SQLSTATE.object_not_in_prerequisite_state, `database "${name}" was not shut down cleanly after a start and close`);
  return second;
}

/** A new database `name` from an archive made by exportDatabase (rule 3). */
export async function importDatabase(name: string, archive: Uint8Array, settings: DatabaseSettings = {}): Promise<DatabaseEntry> {
  checkName(name);
  const exists = async (): Promise<boolean> => (await getDatabase(name)) !== undefined || (await opfsFileExists(`${databaseDataDir(name)}/global/pg_control`));
  if (await exists()) throw new PgError('42P04', `database "${name}" already exists`);
  const files = readBaseBackup(await decompressBaseBackup(archive));
  return withLock(name, 'import', async () => {
    if ((await getDatabase(name)) === undefined) await discardLeftover(name);
    if (await exists()) throw new PgError('42P04', `database "${name}" already exists`);
    // pg_control last (basebackup.ts rule 3).
    const ordered = [...files.filter((f) => f.path !== 'global/pg_control'), ...files.filter((f) => f.path === 'global/pg_control')];
    try {
      await writeOpfsTree(databaseDataDir(name), ordered);
    } catch (e) {
      await removeOpfsDataDir(databaseDataDir(name)).catch(() => undefined);
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOSPC') throw new PgError('53100', `could not import database "${name}": no space left (the origin's storage quota)`);
      throw new PgError(SQLSTATE.io_error, `could not import database "${name}": ${e instanceof Error ? e.message : String(e)}`);
    }
    const entry: DatabaseEntry = {
      name, created: new Date().toISOString(), sizeBytes: files.reduce((n, f) => n + f.bytes.length, 0), settings,
    };
    await set(name, entry, store());
    return entry;
  });
}
