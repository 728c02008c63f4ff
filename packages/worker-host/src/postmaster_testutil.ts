/*
 * postmaster_testutil.ts — what the worker-host tests share: waiting for a
 * call to fail with a PgError, and asking whether a call is still blocked.
 * Not part of the package's API.
 */
import { PgError } from '@tabgres/engine';

/** The PgError a call fails with; fails the test if it succeeds or throws something else. */
export async function rejection(p: Promise<unknown>): Promise<PgError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** Whether a promise has settled after ms, without waiting for it: a call still pending is blocked. */
export async function settled(p: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  p.then(() => { done = true; }, () => { done = true; });
  await new Promise((r) => setTimeout(r, ms));
  return done;
}
