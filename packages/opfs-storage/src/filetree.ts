/*
 * filetree.ts — the namespace of an in-memory directory: which path names
 * which file, and which folders exist.
 *
 * Exports: FileTree.
 *
 * Shared by MemoryDirectory and CrashSimDirectory so that both give the same
 * answers as NodeDirectory for the directory operations. Folders are implicit
 * (README rule 6): a folder exists while some file lies below it, so removing
 * the last file of a folder removes the folder.
 *
 * A FileTree maps paths to file objects and never looks inside them; a handle
 * holds its file object, so it keeps working after a rename or remove of its
 * path, as a POSIX file descriptor does.
 */

import { ancestorsOf } from './path.ts';
import { StorageError } from './types.ts';

export class FileTree<F> {
  private readonly files = new Map<string, F>();
  /** Folder path -> number of files below it at any depth; the root '' is not counted. */
  private readonly folders = new Map<string, number>();

  get(path: string): F | undefined {
    return this.files.get(path);
  }

  /** True for a file or a (non-empty) folder. */
  exists(path: string): boolean {
    return path === '' || this.files.has(path) || this.folders.has(path);
  }

  /**
   * Throws EINVAL when a file cannot be created at `path`: the path is a
   * folder, or a folder on the way to it is a file.
   */
  checkCreatable(path: string): void {
    if (this.folders.has(path)) throw new StorageError('EINVAL', path, 'path is a folder');
    for (const folder of ancestorsOf(path)) {
      if (this.files.has(folder)) throw new StorageError('EINVAL', path, `${folder} is a file, not a folder`);
    }
  }

  /** Adds a file; the caller has checked with checkCreatable and that `path` is free. */
  add(path: string, file: F): void {
    this.files.set(path, file);
    for (const folder of ancestorsOf(path)) this.folders.set(folder, (this.folders.get(folder) ?? 0) + 1);
  }

  /** Removes a file and returns it, or returns undefined when `path` is not a file. */
  delete(path: string): F | undefined {
    const file = this.files.get(path);
    if (file === undefined) return undefined;
    this.files.delete(path);
    for (const folder of ancestorsOf(path)) {
      const count = (this.folders.get(folder) ?? 0) - 1;
      if (count > 0) this.folders.set(folder, count);
      else this.folders.delete(folder);
    }
    return file;
  }

  /** rename(): `from` replaces `to` in one step; returns the replaced file, if any. */
  move(from: string, to: string): F | undefined {
    const file = this.files.get(from);
    if (file === undefined) throw new StorageError('ENOENT', from, 'no such file');
    if (from === to) return undefined;
    this.checkCreatable(to);
    const replaced = this.delete(to);
    this.delete(from);
    this.add(to, file);
    return replaced;
  }

  /** remove(): removing a missing path is not an error, removing a folder with files is. */
  remove(path: string): F | undefined {
    if (this.folders.has(path)) throw new StorageError('EINVAL', path, 'folder is not empty');
    return this.delete(path);
  }

  /** Names directly inside `folder`, sorted by code unit; [] when it does not exist. */
  list(folder: string): string[] {
    const prefix = folder === '' ? '' : `${folder}/`;
    const names = new Set<string>();
    for (const path of this.files.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      names.add(slash < 0 ? rest : rest.slice(0, slash));
    }
    return [...names].sort();
  }

  /** All file paths, sorted, so that walks over the tree are deterministic. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }
}
