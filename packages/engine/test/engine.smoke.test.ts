import { describe, expect, it } from 'vitest';
import { CrashSimDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID, typeByOid } from '../src/utils/adt/types.ts';
import type { TypeInfo } from '../src/utils/adt/datum.ts';

const t = (oid: number): TypeInfo => typeByOid(oid) as TypeInfo;
const cols = [{ name: 'id', type: t(INT4OID), notNull: true }, { name: 'name', type: t(TEXTOID) }];

describe('storage engine smoke', () => {
  it('inserts, commits, survives a crash, rolls back', () => {
    const dir = new CrashSimDirectory();
    let db = StorageEngine.open({ dir, sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
    db.begin();
    const rel = db.createRelation('t', cols);
    for (let i = 0; i < 500; i++) db.insert(rel, [i, `row ${i}`]);
    db.commit();
    expect(db.count(rel)).toBe(500);
    db.begin();
    db.insert(rel, [1000, 'uncommitted']);
    db.rollback();
    expect(db.count(rel)).toBe(500);
    db.abandon();
    dir.crash({ seed: 1, mode: 'drop' });
    db = StorageEngine.open({ dir, sharedBuffers: 64 });
    expect(db.startup.recoveryPerformed).toBe(true);
    const rel2 = db.openRelation({ oid: rel.oid, name: 't', columns: cols, toastOid: rel.toast?.oid ?? null });
    const rows = db.scan(rel2);
    expect(rows.length).toBe(500);
    expect(rows[499].values).toEqual([499, 'row 499']);
    db.close();
  });
});
