/*
 * index.ts — the file layer's public surface (see ../README.md).
 *
 * The contract (types.ts), its three implementations for Node and tests, the
 * seeded PRNG the crash tests share, and the file layer's limits.
 */

export * from './types.ts';
export { NodeDirectory } from './node.ts';
export { MemoryDirectory } from './memory.ts';
export {
  CrashSimDirectory,
  type CrashMode,
  type CrashOptions,
  type CrashOutcome,
  type CrashSimSnapshot,
  type PendingOp,
} from './crashsim.ts';
export { Prng } from './prng.ts';
export * from './constants.ts';
