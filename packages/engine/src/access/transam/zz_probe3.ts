import { MemoryDirectory } from '@tabgres/opfs-storage';
import { bootstrapXLog } from './xlog.ts';
import { makeTestPage, startWal, TEST_RMGR_ID } from './xlog_testutil.ts';
import { REGBUF_STANDARD } from './xloginsert.ts';
const dir = new MemoryDirectory();
bootstrapXLog(dir, { segmentSize: 16 << 20 });
const w = startWal(dir, { walBuffers: 512 });
const buf = w.buffers.buffer({ spcOid: 1663, dbOid: 5, relNumber: 1 }, 0, 0);
makeTestPage(w.buffers.getPage(buf), 2 ** 40, 200, 8000, 1);
const tuple = new Uint8Array(15), xlrec = new Uint8Array(3);
const ins = w.ins as unknown as Record<string, (...a: unknown[]) => unknown>;
const N = 3_000_000;
let best = 1e9;
for (let k = 0; k < 6; k++) {
const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) { w.ins.beginInsert(); w.ins.registerData(xlrec, 0, 3); w.ins.registerBuffer(0, buf, REGBUF_STANDARD); w.ins.registerBufData(0, tuple, 0, 15); ins.assemble(TEST_RMGR_ID, 0x10, 0, 0, true); w.ins.reset(); }
const c = process.cpuUsage(c0); best = Math.min(best, (c.user + c.system) * 1000 / N);
}
console.log('best cpu ns', best.toFixed(1));
