/*
 * constants.ts — every size and limit of the file layer in one place.
 *
 * Each constant says why it has its value and what it costs. Assertions at the
 * bottom tie related constants together when the module loads.
 */

/**
 * Longest accepted path, in UTF-16 code units (PostgreSQL's MAXPGPATH). The
 * engine's longest path is "base/<oid>/<oid>_fsm.<segno>", far below it; a
 * longer one is a bug upstream, so it is rejected with EINVAL.
 */
export const PATH_LENGTH_MAX = 1024;

/**
 * Largest file the memory and crash-simulation implementations hold: 2 GiB,
 * twice a 1 GB relation segment. Each file is one Uint8Array, so this also
 * caps one allocation; a write that would pass it fails with ENOSPC, like a
 * full disk.
 */
export const MEMORY_FILE_SIZE_MAX_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * First capacity given to an in-memory file when it gets its first byte: one
 * page. Capacity doubles from here, so a 16 MB WAL segment written page by
 * page is reallocated 11 times, and no file wastes more than half its capacity.
 */
export const MEMORY_FILE_CAPACITY_MIN_BYTES = 8192;

/**
 * The unit a crash can tear: PostgreSQL's page (BLCKSZ). A torn write keeps
 * the first TEAR_ATOMIC_BYTES of one such page and the old contents of the rest.
 */
export const TEAR_PAGE_BYTES = 8192;

/**
 * What a disk writes atomically: a 4 KB physical sector / filesystem block.
 * A page is written as two of them, which is why PostgreSQL needs
 * full_page_writes and why the crash simulation tears at this boundary.
 */
export const TEAR_ATOMIC_BYTES = 4096;

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(`opfs-storage constants: ${message}`);
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

assert(TEAR_ATOMIC_BYTES * 2 === TEAR_PAGE_BYTES, 'a page tears into exactly two halves');
assert(isPowerOfTwo(MEMORY_FILE_CAPACITY_MIN_BYTES), 'capacity doubling starts from a power of two');
assert(MEMORY_FILE_CAPACITY_MIN_BYTES <= MEMORY_FILE_SIZE_MAX_BYTES, 'the first capacity fits the size limit');
assert(MEMORY_FILE_SIZE_MAX_BYTES <= Number.MAX_SAFE_INTEGER, 'file offsets are exact JS numbers');
