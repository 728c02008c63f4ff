/*
 * path.ts — checking and splitting the file layer's paths.
 *
 * Exports: normalizePath, parentOf, ancestorsOf.
 *
 * Paths are '/'-separated and relative to a directory's root (README rule 1).
 * Every implementation normalizes a path before using it, so "base//5/",
 * "/base/5" and "base/5" name the same folder everywhere, and a path that
 * could escape the root ("..") is rejected rather than resolved.
 */

import { PATH_LENGTH_MAX } from './constants.ts';
import { StorageError } from './types.ts';

/**
 * Returns the canonical form of `path`: components joined by single '/', no
 * leading or trailing '/', no '.' components. The root folder is ''. Throws
 * StorageError('EINVAL') for '..', NUL, backslash (a separator on Windows, so
 * not portable), an over-long path, or an empty file path.
 */
export function normalizePath(path: string, kind: 'file' | 'folder'): string {
  if (typeof path !== 'string') throw new StorageError('EINVAL', String(path), 'path is not a string');
  if (path.length > PATH_LENGTH_MAX) {
    throw new StorageError('EINVAL', path, `path is longer than ${PATH_LENGTH_MAX} characters`);
  }
  if (path.includes('\0') || path.includes('\\')) {
    throw new StorageError('EINVAL', path, 'path contains NUL or a backslash');
  }
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new StorageError('EINVAL', path, "path contains '..'");
    parts.push(part);
  }
  if (kind === 'file' && parts.length === 0) throw new StorageError('EINVAL', path, 'empty file path');
  return parts.join('/');
}

/** The folder holding a normalized path; '' for a top-level entry. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Every proper ancestor folder of a normalized path, nearest first, excluding the root. */
export function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  for (let folder = parentOf(path); folder !== ''; folder = parentOf(folder)) result.push(folder);
  return result;
}
