/*
 * pgscript.testutil.ts — the setup shared by the *.pglite.test.ts files
 * that compare whole scripts with PostgreSQL: PGlite started before the
 * file's tests and closed after them, and a `same(script)` that runs the
 * script on both sides (ddl.testutil.ts runBoth), expects every
 * statement's outcome to agree, and closes tabgres's backend.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { runBoth } from './ddl.testutil.ts';

/** Call at a test file's top level; the returned function is for its tests. */
export function compareScriptsWithPostgres(): (script: readonly string[]) => Promise<void> {
  let pg: PGlite | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.close();
  });
  return async (script) => {
    if (pg === undefined) throw new Error('PGlite did not start');
    const r = await runBoth(pg, script);
    expect(r.ours).toEqual(r.pg);
    r.backend.close();
  };
}
