/*
 * opfs_server.ts — the file layer on OPFS, the I/O worker's half: it holds
 * the FileSystemSyncAccessHandles of a data directory and answers the
 * requests backends send over their channels (opfs.ts), asynchronously,
 * woken by Atomics.waitAsync.
 *
 * Exports: OpfsIoServer, detectOpfsAccessMode, openOpfsDataDir,
 *          removeOpfsDataDir, OpfsAccessMode
 *
 * Two ways to share files between backends, chosen once at start by
 * detectOpfsAccessMode:
 *
 *   'readwrite-unsafe'  the browser lets several sync access handles be
 *                       open on one file at once (Chromium 121+): every
 *                       backend gets its own server worker with its own
 *                       handles, so backends do I/O in parallel.
 *   'exclusive'         one sync handle per file per origin: one server
 *                       worker serves every backend, each on its own
 *                       channel, one handle per file shared by all.
 *
 * Rules:
 *  1. A server holds at most one sync handle per path (opened once, shared
 *     by every handle number given out for it, closed with the last one).
 *     Two opens of the same path racing in one server share one pending
 *     open, so 'exclusive' mode never asks the browser for a second handle.
 *  2. Each request is answered completely before the channel's STATE says
 *     so; reads and writes run on sync handles without an await, so one
 *     request never sees half of another's write.
 *  3. DOMExceptions map to StorageError codes: NotFoundError ENOENT,
 *     QuotaExceededError ENOSPC (the engine's 53100), TypeMismatchError
 *     and InvalidModificationError EINVAL (a file where a folder is, a
 *     folder that is not empty), anything else EIO.
 *  4. rename() first tries FileSystemHandle.move(), which replaces the
 *     target in one step. Where move() cannot (another server holds a handle
 *     on either file), the bytes are copied into the target, flushed, and
 *     the source removed: not atomic against a crash in the middle of the
 *     copy (pg_control is one small write, so a torn copy is unlikely but
 *     possible). Handles on the source follow it to its new name.
 *  5. A removed file's handles fail with EIO afterwards (OPFS has no
 *     unlinked-but-open files).
 *  6. In 'readwrite-unsafe' mode the servers of one data directory form a
 *     group (a BroadcastChannel): OPFS refuses to rename or remove a file
 *     while any sync handle is open on it, so a server whose rename or
 *     remove fails with NoModificationAllowedError asks the others to
 *     close their handles on those paths and retries. A released handle is
 *     reopened at its next use, by its old name: after a rename elsewhere
 *     that fails (EIO), where POSIX would follow the file; PostgreSQL's
 *     renames (WAL segment recycling, pg_control) never touch a file another
 *     backend still uses.
 */

import {
  CH_ARG, CH_DATA_OFFSET, CH_F64_OFFSET, CH_FILE, CH_FLAGS, CH_LEN, CH_LEN2, CH_OP, CH_REPLY, CH_REQUEST, CH_RESULT, CH_STATE, CH_STATUS,
  OPFS_CHANNEL_DATA_BYTES, OPFS_ERROR_CODES, OpfsOp,
} from './opfs.ts';
import { StorageError, type StorageErrorCode } from './types.ts';

export type OpfsAccessMode = 'readwrite-unsafe' | 'exclusive';

/** FileSystemSyncAccessHandle as Chromium has it (lib.dom lacks the worker-only parts). */
export interface SyncAccessHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
  readonly mode?: string;
}

interface FileHandleWithSync extends FileSystemFileHandle {
  createSyncAccessHandle(options?: { mode?: string }): Promise<SyncAccessHandle>;
  move?(parent: FileSystemDirectoryHandle, name: string): Promise<void>;
}

interface DirectoryWithEntries extends FileSystemDirectoryHandle {
  keys(): AsyncIterableIterator<string>;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function domName(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
}

/** Rule 3. */
function toStorageError(e: unknown, path: string): StorageError {
  if (e instanceof StorageError) return e;
  const name = domName(e);
  const message = e instanceof Error ? `${name}: ${e.message}` : String(e);
  let code: StorageErrorCode = 'EIO';
  if (name === 'NotFoundError') code = 'ENOENT';
  else if (name === 'QuotaExceededError') code = 'ENOSPC';
  else if (name === 'TypeMismatchError' || name === 'InvalidModificationError') code = 'EINVAL';
  return new StorageError(code, path, message);
}

/** Splits a normalized path (opfs.ts normalized it) into its folder parts and its name. */
function split(path: string): { folders: string[]; name: string } {
  const parts = path.split('/');
  const name = parts.pop() as string;
  return { folders: parts, name };
}

/** One open file: its sync handle, shared by every handle number on it (rule 1). */
interface OpenFile {
  path: string;
  handle: FileHandleWithSync;
  /** null while released for another server's rename or remove (rule 6): reopened on next use. */
  access: SyncAccessHandle | null;
  refs: number;
  removed: boolean;
}

interface Channel {
  i32: Int32Array;
  f64: Float64Array;
  data: Uint8Array;
  ids: Set<number>;
  detached: boolean;
}

/**
 * Which way this browser lets several workers use one file (see the
 * header). Runs in a worker (sync handles exist only there): opens two
 * 'readwrite-unsafe' handles on a probe file; both opening means the mode
 * is supported.
 */
export async function detectOpfsAccessMode(root: FileSystemDirectoryHandle): Promise<OpfsAccessMode> {
  const name = '.tabgres-access-mode-probe';
  const fh = (await root.getFileHandle(name, { create: true })) as FileHandleWithSync;
  const opened: SyncAccessHandle[] = [];
  let mode: OpfsAccessMode = 'exclusive';
  try {
    opened.push(await fh.createSyncAccessHandle({ mode: 'readwrite-unsafe' }));
    opened.push(await fh.createSyncAccessHandle({ mode: 'readwrite-unsafe' }));
    // A browser that ignores the option opens an exclusive handle and fails on the second.
    if (opened[0].mode === undefined || opened[0].mode === 'readwrite-unsafe') mode = 'readwrite-unsafe';
  } catch {
    mode = 'exclusive';
  } finally {
    for (const h of opened) h.close();
    await root.removeEntry(name).catch(() => undefined);
  }
  return mode;
}

/** The data directory `path` ('/'-separated, under the origin's OPFS root), created if missing. */
export async function openOpfsDataDir(path: string): Promise<FileSystemDirectoryHandle> {
  let dir = await navigator.storage.getDirectory();
  for (const part of path.split('/')) if (part !== '') dir = await dir.getDirectoryHandle(part, { create: true });
  return dir;
}

/** Removes a data directory and everything in it (for temporary instances). */
export async function removeOpfsDataDir(path: string): Promise<void> {
  const parts = path.split('/').filter((p) => p !== '');
  const name = parts.pop();
  if (name === undefined) throw new StorageError('EINVAL', path, 'refusing to remove the OPFS root');
  let dir = await navigator.storage.getDirectory();
  for (const part of parts) dir = await dir.getDirectoryHandle(part);
  await dir.removeEntry(name, { recursive: true });
}

export class OpfsIoServer {
  private readonly files = new Map<string, Promise<OpenFile>>();
  /** The same files once open (rule 1). */
  private readonly entries = new Map<string, OpenFile>();
  private readonly ids = new Map<number, OpenFile>();
  private nextId = 1;
  private readonly scratch = new Uint8Array(OPFS_CHANNEL_DATA_BYTES);
  private readonly channels = new Map<SharedArrayBuffer, Channel>();

  /** The other servers of the same data directory ('readwrite-unsafe' mode), or null. */
  private readonly peers: BroadcastChannel | null;
  private readonly serverId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

  /**
   * `peerGroup` names the BroadcastChannel the servers of one data
   * directory use to ask each other for handles (rule 6); it matters only
   * in 'readwrite-unsafe' mode, where there are several.
   */
  constructor(
    private readonly root: FileSystemDirectoryHandle,
    readonly mode: OpfsAccessMode,
    peerGroup?: string,
  ) {
    this.peers = mode === 'readwrite-unsafe' && peerGroup !== undefined ? new BroadcastChannel(peerGroup) : null;
    this.peers?.addEventListener('message', (ev: MessageEvent) => {
      const m = ev.data as { type?: string; from?: string; paths?: string[] };
      if (m.type === 'release' && m.from !== this.serverId && Array.isArray(m.paths)) this.release(m.paths);
    });
  }

  /** Ends the server: no more peer messages (its handles go with its worker). */
  close(): void {
    this.peers?.close();
  }

  /** Starts serving one backend's channel. */
  attach(sab: SharedArrayBuffer): void {
    const ch: Channel = {
      i32: new Int32Array(sab, 0, CH_F64_OFFSET / 4),
      f64: new Float64Array(sab, CH_F64_OFFSET, 2),
      data: new Uint8Array(sab, CH_DATA_OFFSET, OPFS_CHANNEL_DATA_BYTES),
      ids: new Set(),
      detached: false,
    };
    this.channels.set(sab, ch);
    void this.serve(ch);
  }

  /** Stops serving a channel (its backend is gone) and closes the files it left open. */
  detach(sab: SharedArrayBuffer): void {
    const ch = this.channels.get(sab);
    if (ch === undefined) return;
    this.channels.delete(sab);
    ch.detached = true;
    Atomics.notify(ch.i32, CH_STATE);
    for (const id of ch.ids) this.closeId(id);
    ch.ids.clear();
  }

  private async serve(ch: Channel): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
    while (!ch.detached) {
      const state = Atomics.load(ch.i32, CH_STATE);
      if (state !== CH_REQUEST) {
        const r = waitAsync(ch.i32, CH_STATE, state);
        if (r.async) await r.value;
        continue;
      }
      try {
        await this.handle(ch);
        ch.i32[CH_STATUS] = 0;
      } catch (e) {
        const err = toStorageError(e, '');
        ch.i32[CH_STATUS] = OPFS_ERROR_CODES.indexOf(err.code) + 1;
        // TextEncoder cannot write into shared memory: encode, then copy.
        const text = encoder.encode(err.message).subarray(0, ch.data.length);
        ch.data.set(text, 0);
        ch.i32[CH_LEN] = text.length;
      }
      Atomics.store(ch.i32, CH_STATE, CH_REPLY);
      Atomics.notify(ch.i32, CH_STATE);
    }
  }

  private file(id: number): OpenFile {
    const f = this.ids.get(id);
    if (f === undefined) throw new StorageError('EBADF', '', `no open file ${id}`);
    if (f.removed) throw new StorageError('EIO', f.path, 'the file was removed while open');
    return f;
  }

  /** The file's sync handle, reopened if it was released for a peer (rule 6). */
  private async live(id: number): Promise<{ f: OpenFile; access: SyncAccessHandle }> {
    const f = this.file(id);
    if (f.access === null) {
      try {
        f.access = await f.handle.createSyncAccessHandle(this.handleOptions());
      } catch (e) {
        throw toStorageError(e, f.path);
      }
    }
    return { f, access: f.access };
  }

  private handleOptions(): { mode: string } | undefined {
    return this.mode === 'readwrite-unsafe' ? { mode: 'readwrite-unsafe' } : undefined;
  }

  /** Another server asks for these paths' handles (rule 6): close them, reopen on next use. */
  private release(paths: string[]): void {
    for (const path of paths) {
      const f = this.entries.get(path);
      if (f !== undefined && f.access !== null) {
        f.access.close();
        f.access = null;
      }
    }
  }

  /**
   * Runs a rename or remove; while it fails because another server holds a
   * handle on one of the paths, asks the peers to release them and retries
   * (rule 6), for up to about two seconds.
   */
  private async withPeersReleased<T>(paths: string[], op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        if (domName(e) !== 'NoModificationAllowedError' || this.peers === null || attempt >= 40) throw e;
        this.peers.postMessage({ type: 'release', from: this.serverId, paths });
        await new Promise((r) => setTimeout(r, Math.min(5 + attempt * 5, 100)));
      }
    }
  }

  private async handle(ch: Channel): Promise<void> {
    const op = ch.i32[CH_OP];
    const len = ch.i32[CH_LEN];
    switch (op) {
      case OpfsOp.Read: {
        const { access } = await this.live(ch.i32[CH_FILE]);
        const n = access.read(this.scratch.subarray(0, len), { at: ch.f64[CH_ARG] });
        ch.data.set(this.scratch.subarray(0, n), 0);
        ch.f64[CH_RESULT] = n;
        return;
      }
      case OpfsOp.Write: {
        const { f, access } = await this.live(ch.i32[CH_FILE]);
        this.scratch.set(ch.data.subarray(0, len), 0);
        try {
          const n = access.write(this.scratch.subarray(0, len), { at: ch.f64[CH_ARG] });
          if (n !== len) throw new StorageError('ENOSPC', f.path, `wrote only ${n} of ${len} bytes`);
        } catch (e) {
          throw toStorageError(e, f.path);
        }
        ch.f64[CH_RESULT] = len;
        return;
      }
      case OpfsOp.Truncate: {
        const { f, access } = await this.live(ch.i32[CH_FILE]);
        try {
          access.truncate(ch.f64[CH_ARG]);
        } catch (e) {
          throw toStorageError(e, f.path);
        }
        return;
      }
      case OpfsOp.GetSize:
        ch.f64[CH_RESULT] = (await this.live(ch.i32[CH_FILE])).access.getSize();
        return;
      case OpfsOp.Flush:
        (await this.live(ch.i32[CH_FILE])).access.flush();
        return;
      case OpfsOp.Close: {
        const id = ch.i32[CH_FILE];
        ch.ids.delete(id);
        this.closeId(id);
        return;
      }
      case OpfsOp.Open: {
        const path = decoder.decode(ch.data.slice(0, len));
        const f = await this.openPath(path, ch.i32[CH_FLAGS] === 1);
        const id = this.nextId++;
        this.ids.set(id, f);
        ch.ids.add(id);
        ch.f64[CH_RESULT] = id;
        return;
      }
      case OpfsOp.Exists:
        ch.f64[CH_RESULT] = (await this.exists(decoder.decode(ch.data.slice(0, len)))) ? 1 : 0;
        return;
      case OpfsOp.List: {
        const names = await this.list(decoder.decode(ch.data.slice(0, len)));
        const text = encoder.encode(names.join('/'));
        if (text.length > ch.data.length) throw new StorageError('EIO', '', 'folder listing longer than the channel');
        ch.data.set(text, 0);
        ch.i32[CH_LEN] = text.length;
        return;
      }
      case OpfsOp.Rename: {
        const from = decoder.decode(ch.data.slice(0, len));
        const to = decoder.decode(ch.data.slice(len, len + ch.i32[CH_LEN2]));
        await this.rename(from, to);
        return;
      }
      case OpfsOp.Remove:
        await this.remove(decoder.decode(ch.data.slice(0, len)));
        return;
      default:
        throw new StorageError('EINVAL', '', `unknown OPFS request ${op}`);
    }
  }

  private closeId(id: number): void {
    const f = this.ids.get(id);
    if (f === undefined) return;
    this.ids.delete(id);
    if (--f.refs === 0) {
      if (!f.removed) f.access?.close();
      if (this.entries.get(f.path) === f) {
        this.entries.delete(f.path);
        this.files.delete(f.path);
      }
    }
  }

  /** The folder of a path; ENOENT when missing (and !create), EINVAL when a file is in the way. */
  private async folder(folders: string[], create: boolean, path: string): Promise<FileSystemDirectoryHandle> {
    let dir = this.root;
    for (const part of folders) {
      try {
        dir = await dir.getDirectoryHandle(part, { create });
      } catch (e) {
        // A file in the middle of the path: nothing can be there (ENOENT) unless asked to create (EINVAL).
        if (domName(e) === 'TypeMismatchError' && !create) throw new StorageError('ENOENT', path, `no such file: ${path}`);
        throw toStorageError(e, path);
      }
    }
    return dir;
  }

  private openPath(path: string, create: boolean): Promise<OpenFile> {
    const pending = this.files.get(path);
    if (pending !== undefined) {
      return pending.then((f) => {
        if (f.refs === 0 || f.removed) return this.openPath(path, create);
        f.refs++;
        return f;
      });
    }
    const p = (async (): Promise<OpenFile> => {
      const { folders, name } = split(path);
      const dir = await this.folder(folders, create, path);
      let handle: FileHandleWithSync;
      try {
        handle = (await dir.getFileHandle(name, { create })) as FileHandleWithSync;
      } catch (e) {
        throw toStorageError(e, path);
      }
      let access: SyncAccessHandle;
      try {
        access = await handle.createSyncAccessHandle(this.handleOptions());
      } catch (e) {
        throw toStorageError(e, path);
      }
      const f: OpenFile = { path, handle, access, refs: 1, removed: false };
      this.entries.set(path, f);
      return f;
    })();
    this.files.set(path, p);
    p.catch(() => {
      if (this.files.get(path) === p) this.files.delete(path);
    });
    return p;
  }

  private async exists(path: string): Promise<boolean> {
    const { folders, name } = split(path);
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await this.folder(folders, false, path);
    } catch {
      return false;
    }
    for (const get of [() => dir.getDirectoryHandle(name), () => dir.getFileHandle(name)]) {
      try {
        await get();
        return true;
      } catch (e) {
        if (domName(e) !== 'NotFoundError' && domName(e) !== 'TypeMismatchError') throw toStorageError(e, path);
      }
    }
    return false;
  }

  private async list(folder: string): Promise<string[]> {
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await this.folder(folder === '' ? [] : folder.split('/'), false, folder);
    } catch (e) {
      if (e instanceof StorageError && e.code === 'ENOENT') return [];
      if (domName(e) === 'NotFoundError' || domName(e) === 'TypeMismatchError') return [];
      throw e;
    }
    const names: string[] = [];
    for await (const n of (dir as DirectoryWithEntries).keys()) names.push(n);
    return names.sort();
  }

  private async remove(path: string): Promise<void> {
    const { folders, name } = split(path);
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await this.folder(folders, false, path);
    } catch (e) {
      if (e instanceof StorageError && e.code === 'ENOENT') return;
      throw e;
    }
    const open = await this.files.get(path)?.catch(() => undefined);
    if (open !== undefined && !open.removed && open.refs > 0) {
      // Rule 5: OPFS cannot remove a file under an open sync handle.
      open.access?.close();
      open.access = null;
      open.removed = true;
      this.files.delete(path);
      this.entries.delete(path);
    }
    try {
      await this.withPeersReleased([path], () => dir.removeEntry(name));
    } catch (e) {
      if (domName(e) === 'NotFoundError') return;
      throw toStorageError(e, path);
    }
  }

  private async rename(from: string, to: string): Promise<void> {
    const src = split(from);
    const dst = split(to);
    const fromDir = await this.folder(src.folders, false, from);
    let fromHandle: FileHandleWithSync;
    try {
      fromHandle = (await fromDir.getFileHandle(src.name)) as FileHandleWithSync;
    } catch (e) {
      throw toStorageError(e, from);
    }
    if (from === to) return;
    const toDir = await this.folder(dst.folders, true, to);
    // A folder in the target's place is EINVAL, as rename(2) onto a directory is.
    const isFolder = await toDir.getDirectoryHandle(dst.name).then(() => true, () => false);
    if (isFolder) throw new StorageError('EINVAL', to, `cannot replace folder ${to} with a file`);
    const srcOpen = await this.files.get(from)?.catch(() => undefined);
    const dstOpen = await this.files.get(to)?.catch(() => undefined);
    // The sync handles must be closed for move(); they are reopened on the new name below.
    for (const f of [srcOpen, dstOpen]) {
      if (f !== undefined && f.refs > 0 && !f.removed) {
        f.access?.close();
        f.access = null;
      }
    }
    let moved = false;
    if (typeof fromHandle.move === 'function') {
      const move = fromHandle.move.bind(fromHandle);
      try {
        await this.withPeersReleased([from, to], () => move(toDir, dst.name));
        moved = true;
      } catch (e) {
        // Handles other servers would not give up: a real failure. Otherwise move() itself cannot (copy).
        if (domName(e) === 'NoModificationAllowedError') throw toStorageError(e, to);
        moved = false;
      }
    }
    if (!moved) await this.copyOver(fromHandle, fromDir, from, toDir, dst.name, to);
    this.files.delete(from);
    this.files.delete(to);
    this.entries.delete(from);
    this.entries.delete(to);
    const newHandle = (await toDir.getFileHandle(dst.name)) as FileHandleWithSync;
    const live = [srcOpen, dstOpen].filter((f): f is OpenFile => f !== undefined && f.refs > 0 && !f.removed);
    if (live.length > 0) {
      // Rule 4: the source's handles follow it; the old target's see the new file too.
      const access = await newHandle.createSyncAccessHandle(this.handleOptions());
      const merged: OpenFile = { path: to, handle: newHandle, access, refs: 0, removed: false };
      for (const f of live) {
        merged.refs += f.refs;
        for (const [id, g] of this.ids) if (g === f) this.ids.set(id, merged);
      }
      this.files.set(to, Promise.resolve(merged));
      this.entries.set(to, merged);
    }
  }

  /** Rule 4's fallback: copy, flush, remove the source. */
  private async copyOver(
    fromHandle: FileHandleWithSync, fromDir: FileSystemDirectoryHandle, from: string,
    toDir: FileSystemDirectoryHandle, toName: string, to: string,
  ): Promise<void> {
    const mode = this.handleOptions();
    try {
      const src = await fromHandle.createSyncAccessHandle(mode);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(src.getSize());
        src.read(bytes, { at: 0 });
      } finally {
        src.close();
      }
      const dst = await ((await toDir.getFileHandle(toName, { create: true })) as FileHandleWithSync).createSyncAccessHandle(mode);
      try {
        dst.truncate(0);
        dst.write(bytes, { at: 0 });
        dst.flush();
      } finally {
        dst.close();
      }
      const fromName = split(from).name;
      await this.withPeersReleased([from], () => fromDir.removeEntry(fromName));
    } catch (e) {
      throw toStorageError(e, to);
    }
  }
}
