/*
 * corpus.test.ts — the differential SQL corpus (README.md): every .sql file
 * here runs statement by statement on PostgreSQL (PGlite) and on tabgres,
 * and the psql-style renderings are compared.
 *
 * The test fails when tabgres crashes (a non-PgError escapes) or when the
 * number of agreeing statements of a file falls below its recorded
 * baseline (baseline.json): agreement may only go up. TABGRES_CORPUS_REPORT=FILE
 * writes every disagreement to FILE; TABGRES_CORPUS_UPDATE=1 rewrites the
 * baseline.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CORPUS_DIR, PgliteSide, corpusFiles, runCorpusFile, type FileReport, type Side } from './harness.ts';
import { openTabgresSide } from './tabgres_side.ts';

const BASELINE = join(CORPUS_DIR, 'baseline.json');
const baseline: Record<string, number> = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) as Record<string, number> : {};
const reports: FileReport[] = [];
let pg: PgliteSide;

/** Drops what a corpus file created, so the next file starts from an empty database. */
const PG_RESET = `
ROLLBACK;
RESET ALL;
SET search_path = "$user", public;
DO $$ DECLARE s text; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END $$;
CREATE SCHEMA public;
`;

beforeAll(async () => {
  pg = await PgliteSide.start();
});

afterAll(async () => {
  await pg.close();
  const total = reports.reduce((n, r) => n + r.statements.length, 0);
  const agree = reports.reduce((n, r) => n + r.agreeing, 0);
  const lines = reports.map((r) => `  ${basename(r.file).padEnd(20)} ${String(r.agreeing).padStart(4)} / ${r.statements.length}`);
  console.log(`differential corpus: ${agree} / ${total} statements agree\n${lines.join('\n')}`);
  if (process.env.TABGRES_CORPUS_UPDATE === '1') {
    const next: Record<string, number> = {};
    for (const r of reports) next[basename(r.file)] = r.agreeing;
    writeFileSync(BASELINE, JSON.stringify(next, null, 2) + '\n');
  }
});

describe('differential SQL corpus', () => {
  for (const file of corpusFiles()) {
    it(basename(file), async () => {
      await pg.run(PG_RESET);
      const tabgres = await openTabgresSide();
      const sides: Side[] = [pg, tabgres];
      let report: FileReport;
      try {
        report = await runCorpusFile(file, sides);
      } finally {
        await tabgres.close();
      }
      reports.push(report);
      // PostgreSQL's side must never be a harness failure.
      for (const s of report.statements) expect(s.outputs[0].startsWith('CRASH'), `${s.sql}\n${s.outputs[0]}`).toBe(false);
      const crashes = report.statements.filter((s) => s.outputs[1].startsWith('CRASH'));
      const reportFile = process.env.TABGRES_CORPUS_REPORT;
      if (reportFile !== undefined && reportFile !== '') {
        for (const s of report.statements.filter((x) => !x.agree)) {
          appendFileSync(reportFile, `--- ${basename(file)}:${s.line}\n${s.sql}\n--- postgres\n${s.outputs[0]}\n--- tabgres\n${s.outputs[1]}\n\n`);
        }
      }
      expect(crashes.map((s) => `${s.sql}\n${s.outputs[1]}`)).toEqual([]);
      expect(report.agreeing).toBeGreaterThanOrEqual(baseline[basename(file)] ?? 0);
    });
  }
});
