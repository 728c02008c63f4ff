/*
 * opfs_tree.ts — a whole OPFS folder read, written, measured and found,
 * asynchronously, from any thread (the page's main thread included: no
 * sync access handles). For what works on a data directory that no backend
 * has open: exporting it, importing one, its size in the database list.
 *
 * Exports: readOpfsTree, writeOpfsTree, opfsTreeSize, opfsFolderExists,
 *          opfsFileExists, retryWhileBusy, OpfsTreeFile
 *
 * Rules:
 *  1. Only for a folder no I/O worker holds files of: a file with an open
 *     sync access handle cannot be read with getFile() or written with
 *     createWritable() (NoModificationAllowedError), and its bytes would not
 *     be a consistent picture anyway. The database registry (worker-host's
 *     db_registry.ts) keeps a Web Lock per database for that.
 *  2. Paths are '/'-separated and relative to the folder, as everywhere in
 *     this package; files come back sorted by path.
 *  3. A worker that was just terminated releases its sync handles a moment
 *     later, asynchronously: right after a postmaster's close() a file may
 *     still be busy. retryWhileBusy retries such a call (the errors
 *     NoModificationAllowedError, NotReadableError, InvalidStateError) for
 *     up to OPFS_BUSY_RETRY_MS.
 *  4. writeOpfsTree writes each file with createWritable(), which the browser
 *     makes visible in one step at close(); a failure removes what it wrote.
 */

import { StorageError } from './types.ts';

export interface OpfsTreeFile {
  path: string;
  bytes: Uint8Array;
}

interface DirectoryWithEntries extends FileSystemDirectoryHandle {
  entries(): AsyncIterableIterator<[string, FileSystemHandle]>;
}

/** How long a call on a file another (ending) worker holds is retried (rule 3). */
const OPFS_BUSY_RETRY_MS = 3000;
const BUSY_ERRORS = new Set(['NoModificationAllowedError', 'NotReadableError', 'InvalidStateError']);

/** Runs `fn`, again every 50 ms while it fails because a file is busy (rule 3). */
export async function retryWhileBusy<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + OPFS_BUSY_RETRY_MS;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!BUSY_ERRORS.has(String((e as { name?: unknown }).name)) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function folderHandle(path: string, create: boolean): Promise<FileSystemDirectoryHandle | null> {
  let dir = await navigator.storage.getDirectory();
  for (const part of path.split('/')) {
    if (part === '') continue;
    try {
      dir = await dir.getDirectoryHandle(part, { create });
    } catch (e) {
      if ((e as { name?: unknown }).name === 'NotFoundError') return null;
      throw e;
    }
  }
  return dir;
}

/** Every file under `dir`, with `fn` called on each (its path and handle). */
async function walk(dir: FileSystemDirectoryHandle, prefix: string, fn: (path: string, h: FileSystemFileHandle) => Promise<void>): Promise<void> {
  for await (const [name, h] of (dir as DirectoryWithEntries).entries()) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, path, fn);
    else await fn(path, h as FileSystemFileHandle);
  }
}

/** True when the folder `path` (under the origin's OPFS root) exists. */
export async function opfsFolderExists(path: string): Promise<boolean> {
  return (await folderHandle(path, false)) !== null;
}

/** True when the file `path` (under the origin's OPFS root) exists. */
export async function opfsFileExists(path: string): Promise<boolean> {
  const parts = path.split('/').filter((p) => p !== '');
  const name = parts.pop();
  if (name === undefined) return false;
  const dir = await folderHandle(parts.join('/'), false);
  if (dir === null) return false;
  try {
    await dir.getFileHandle(name);
    return true;
  } catch {
    return false;
  }
}

/** Every file of the folder `path`, read whole (rule 1); [] when it does not exist. */
export async function readOpfsTree(path: string): Promise<OpfsTreeFile[]> {
  const root = await folderHandle(path, false);
  if (root === null) return [];
  const out: OpfsTreeFile[] = [];
  await walk(root, '', async (p, h) => {
    const file = await retryWhileBusy(() => h.getFile());
    out.push({ path: p, bytes: new Uint8Array(await file.arrayBuffer()) });
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Bytes of all files under the folder `path` (0 when it does not exist). */
export async function opfsTreeSize(path: string): Promise<number> {
  const root = await folderHandle(path, false);
  if (root === null) return 0;
  let total = 0;
  await walk(root, '', async (_p, h) => {
    total += (await retryWhileBusy(() => h.getFile())).size;
  });
  return total;
}

/**
 * Writes `files` into the folder `path`, created if missing, in the order
 * given (rule 4). On a failure (a full quota: ENOSPC) the files written are
 * removed and the error is a StorageError.
 */
export async function writeOpfsTree(path: string, files: readonly OpfsTreeFile[]): Promise<void> {
  const root = await folderHandle(path, true);
  if (root === null) throw new StorageError('ENOENT', path, 'could not create the folder');
  const written: string[] = [];
  try {
    for (const f of files) {
      const parts = f.path.split('/');
      const name = parts.pop() as string;
      let dir = root;
      for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
      const fh = await dir.getFileHandle(name, { create: true });
      written.push(f.path);
      const w = await fh.createWritable();
      try {
        await w.write(f.bytes as Uint8Array<ArrayBuffer>);
        await w.close();
      } catch (e) {
        await w.abort().catch(() => undefined);
        throw e;
      }
    }
  } catch (e) {
    for (const p of written.reverse()) {
      const parts = p.split('/');
      const name = parts.pop() as string;
      const dir = await folderHandle(`${path}/${parts.join('/')}`, false).catch(() => null);
      await dir?.removeEntry(name).catch(() => undefined);
    }
    const name = (e as { name?: unknown }).name;
    const msg = e instanceof Error ? `${String(name)}: ${e.message}` : String(e);
    throw new StorageError(name === 'QuotaExceededError' ? 'ENOSPC' : 'EIO', path, msg);
  }
}
