import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { Database } from '../database.ts';
import { SYSTEM_VIEWS_SQL } from '../tcop/system_views.ts';
import { getU32 } from '../access/transam/xlogdefs.ts';
import { XLP_SYSID } from '../access/transam/xlog_internal.ts';
import { CONTROL_FILE_PATH, decodeControlFile, readControlFile } from './pg_control.ts';
import {
  decodeBase64, decodeFile, encodeBase64, forEachRun, initdbTemplateFingerprint, instantiateInitdbTemplate, type InitdbTemplate, type TemplateFile,
} from './initdb_template.ts';
import { INITDB_TEMPLATE } from './initdb_template_data.ts';
import { buildInitdbTemplate } from './initdb_template_gen.ts';

const REGENERATE = 'the initdb template is stale: run `npx tsx packages/engine/src/catalog/initdb_template_gen.ts`';

function fileOf(t: InitdbTemplate, path: string): TemplateFile {
  const f = t.files.find((x) => x.path === path);
  if (f === undefined) throw new Error(`no ${path} in the template`);
  return f;
}

/** Every catalog's and system view's rows in physical order, as text; the statistics views show activity, not what initdb made. */
function catalogDump(db: Database): string[] {
  const out: string[] = [];
  // The monitoring views (pg_stat_*, pg_locks) show the live session, not what initdb wrote.
  const catalogs = db.querySync<{ relname: string }>(
    "SELECT relname FROM pg_class WHERE relnamespace = 11 AND relkind IN ('r', 'v') AND relname NOT LIKE 'pg\\_stat%' AND relname <> 'pg_locks' ORDER BY relname",
  ).rows.map((r) => r.relname);
  for (const rel of catalogs) {
    const r = db.querySync(`SELECT * FROM pg_catalog.${rel}`, [], { rowMode: 'array' });
    out.push(`${rel}: ${JSON.stringify(r.rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
  return out;
}

function walSysid(dir: StorageDirectory): bigint {
  const cf = readControlFile(dir);
  const segPath = INITDB_TEMPLATE.files.find((f) => f.path.startsWith('pg_wal/'))?.path as string;
  const f = dir.open(segPath);
  const page = new Uint8Array(64);
  f.read(page, { at: 0 });
  f.close();
  expect(cf.xlogSegSize).toBeGreaterThan(0);
  return (BigInt(getU32(page, XLP_SYSID + 4)) << 32n) | BigInt(getU32(page, XLP_SYSID));
}

describe('initdb template', () => {
  it('base64 round-trips every length and byte value', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (i * 97 + n * 31) & 255;
      if (n > 3) bytes[1] = 255;
      const text = encodeBase64(bytes);
      expect(text.length).toBe(Math.ceil(n / 3) * 4);
      const back = new Uint8Array(n + 2);
      expect(decodeBase64(text, back, 1)).toBe(n);
      expect(back.subarray(1, n + 1)).toEqual(bytes);
    }
  });

  it('base64 decodes the same without Node\'s Buffer (atob, as in browsers) and without atob too (the table decoder)', () => {
    const g = globalThis as { atob?: unknown; Buffer?: unknown };
    const savedAtob = g.atob;
    const savedBuffer = g.Buffer;
    try {
      for (const hide of [['Buffer'], ['Buffer', 'atob']] as const) {
        for (const name of hide) g[name] = undefined;
        for (let n = 0; n < 40; n++) {
          const bytes = new Uint8Array(n);
          for (let i = 0; i < n; i++) bytes[i] = (i * 89 + n * 7) & 255;
          const back = new Uint8Array(n + 1);
          expect(decodeBase64(encodeBase64(bytes), back, 1)).toBe(n);
          expect(back.subarray(1)).toEqual(bytes);
        }
      }
    } finally {
      g.atob = savedAtob;
      g.Buffer = savedBuffer;
    }
  });

  it('was made by this code (fingerprint of the bootstrap rows\' inputs)', () => {
    expect(INITDB_TEMPLATE.fingerprint === initdbTemplateFingerprint(SYSTEM_VIEWS_SQL), REGENERATE).toBe(true);
  });

  it('equals a fresh bootstrap: every relation and transaction-status file byte for byte', () => {
    const fresh = buildInitdbTemplate();
    expect(fresh.files.map((f) => `${f.path} ${f.size}`), REGENERATE).toEqual(INITDB_TEMPLATE.files.map((f) => `${f.path} ${f.size}`));
    for (const f of fresh.files) {
      if (f.path === CONTROL_FILE_PATH || f.path.startsWith('pg_wal/')) continue;
      expect(decodeFile(fileOf(INITDB_TEMPLATE, f.path)), `${f.path}: ${REGENERATE}`).toEqual(decodeFile(f));
    }
    // pg_control: the same checkpoint location and counters; only the identity and the times differ.
    const a = decodeControlFile(decodeFile(fileOf(fresh, CONTROL_FILE_PATH)));
    const b = decodeControlFile(decodeFile(fileOf(INITDB_TEMPLATE, CONTROL_FILE_PATH)));
    const strip = (cf: typeof a) => ({ ...cf, systemIdentifier: 0n, time: 0, checkPointCopy: { ...cf.checkPointCopy, time: 0 } });
    expect(strip(b), REGENERATE).toEqual(strip(a));
    // The WAL keeps the same stretches (first page, then the shutdown checkpoint's page to the end).
    const walRuns = (t: InitdbTemplate) => t.files.filter((f) => f.path.startsWith('pg_wal/')).map((f) => {
      const out: string[] = [];
      forEachRun(f, (o, text) => out.push(`${o}+${text.length}`));
      return out;
    });
    expect(walRuns(INITDB_TEMPLATE), REGENERATE).toEqual(walRuns(fresh));
  });

  it('a database opened from the template holds what a bootstrapped and restarted one holds', () => {
    // A stale image is not used (Database.open bootstraps instead), so this would compare nothing.
    expect(INITDB_TEMPLATE.fingerprint === initdbTemplateFingerprint(SYSTEM_VIEWS_SQL), REGENERATE).toBe(true);
    const fromTemplate = Database.openSync();
    // The template is a cluster after its shutdown checkpoint, so it is compared with a bootstrapped
    // one after a restart: the OID counter then continues from the checkpoint's nextOid in both.
    const dir = new MemoryDirectory();
    Database.openSync({ dir, initdbTemplate: false }).closeSync();
    const bootstrapped = Database.openSync({ dir, initdbTemplate: false });
    try {
      expect(catalogDump(fromTemplate)).toEqual(catalogDump(bootstrapped));
      const next = (db: Database) => {
        db.execSync('CREATE TABLE t (a int)');
        return db.querySync("SELECT oid::int AS oid FROM pg_class WHERE relname = 't'").rows;
      };
      expect(next(fromTemplate)).toEqual(next(bootstrapped));
    } finally {
      fromTemplate.closeSync();
      bootstrapped.closeSync();
    }
  });

  it('gives every new cluster its own system identifier, in pg_control and the WAL long page header', () => {
    const d1 = new MemoryDirectory();
    const d2 = new MemoryDirectory();
    instantiateInitdbTemplate(INITDB_TEMPLATE, d1);
    instantiateInitdbTemplate(INITDB_TEMPLATE, d2);
    const s1 = readControlFile(d1).systemIdentifier;
    expect(s1).not.toBe(readControlFile(d2).systemIdentifier);
    expect(walSysid(d1)).toBe(s1);
    expect(() => instantiateInitdbTemplate(INITDB_TEMPLATE, d1)).toThrow(/empty directory/);
  });

  it('is used only for an empty directory, and its database reopens after a restart', () => {
    const dir = new MemoryDirectory();
    const db = Database.openSync({ dir });
    db.execSync("CREATE TABLE kept (a int PRIMARY KEY, b text); INSERT INTO kept VALUES (1, 'one'), (2, 'two')");
    db.closeSync();
    const again = Database.openSync({ dir });
    expect(again.querySync('SELECT b FROM kept WHERE a = 2').rows).toEqual([{ b: 'two' }]);
    again.closeSync();
  });

  it('its database survives a crash: committed work is recovered from WAL written after the copied checkpoint', () => {
    const dir = new CrashSimDirectory();
    const db = Database.openSync({ dir });
    db.execSync('CREATE TABLE c (a int); CREATE INDEX c_a ON c (a)');
    db.execSync('INSERT INTO c SELECT g FROM generate_series(1, 500) g');
    db.engine.abandon();
    dir.crash({ seed: 11, mode: 'random' });
    const after = Database.openSync({ dir });
    expect(after.engine.startup.recoveryPerformed).toBe(true);
    expect(after.querySync('SELECT count(*)::int AS n, sum(a)::int AS s FROM c WHERE a > 0').rows).toEqual([{ n: 500, s: 125250 }]);
    after.execSync('INSERT INTO c VALUES (501)');
    expect(after.querySync('SELECT count(*)::int AS n FROM c').rows).toEqual([{ n: 501 }]);
    after.closeSync();
  });

  it('is written durably before pg_control: a crash right after the copy leaves a cluster that opens', () => {
    const dir = new CrashSimDirectory();
    instantiateInitdbTemplate(INITDB_TEMPLATE, dir);
    dir.crash({ seed: 3, mode: 'drop' });
    const db = Database.openSync({ dir });
    expect(db.engine.startup.recoveryPerformed).toBe(false);
    expect(db.querySync("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'pg_tables'").rows).toEqual([{ n: 1 }]);
    db.closeSync();
  });
});
