import { it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID, typeByOid } from '../src/utils/adt/types.ts';
import type { TypeInfo } from '../src/utils/adt/datum.ts';

const t = (oid: number): TypeInfo => typeByOid(oid) as TypeInfo;
it('scratch', () => {
  const db = StorageEngine.open({ sharedBuffers: 64, walSegmentSize: 1024 * 1024, firstXid: 2 ** 32 - 2000 });
  console.log(db.transam.varsup.limits(), db.transam.varsup.readNextTransactionId());
  const rel = db.createRelation('t', [{ name: 'id', type: t(INT4OID), notNull: true }, { name: 'v', type: t(TEXTOID) }]);
  const t0 = Date.now();
  for (let i = 0; i < 4000; i++) {
    db.begin();
    db.insert(rel, [i, `r${i}`]);
    if (i % 7 === 3) db.rollback(); else db.commit();
  }
  console.log(Date.now() - t0, db.count(rel), db.transam.varsup.readNextTransactionId());
  const st = db.vacuum(rel, { freeze: true });
  console.log(st);
  db.setOldestXid(st.newRelFrozenXid);
  console.log(db.transam.varsup.limits());
  db.close();
});
