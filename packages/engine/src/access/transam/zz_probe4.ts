import { MemoryDirectory } from '@tabgres/opfs-storage';
import { pageSetLSN } from '../../storage/page/bufpage.ts';
import { bootstrapXLog } from './xlog.ts';
import { makeTestPage, startWal, TEST_RMGR_ID } from './xlog_testutil.ts';
import { REGBUF_STANDARD } from './xloginsert.ts';
import type { StorageDirectory, SyncFile } from '@tabgres/opfs-storage';
class NullDirectory implements StorageDirectory {
  readonly kind = 'memory';
  private readonly inner = new MemoryDirectory();
  private bootstrapped = false;
  open(path: string, o?: { create?: boolean }): SyncFile {
    const f = this.inner.open(path, o);
    if (!this.bootstrapped || !path.startsWith('pg_wal/')) return f;
    return { read: (b, x) => f.read(b, x), write: (b) => b.byteLength, truncate: () => {}, getSize: () => 0, flush: () => {}, close: () => f.close() };
  }
  exists(p: string) { return this.inner.exists(p); }
  list(p: string) { return this.inner.list(p); }
  rename(a: string, b: string) { this.inner.rename(a, b); }
  remove(p: string) { this.inner.remove(p); }
  done() { this.bootstrapped = true; }
}
const dir = new NullDirectory();
bootstrapXLog(dir, { segmentSize: 16 << 20 });
const w = startWal(dir, { walBuffers: 512 });
dir.done();
const buf = w.buffers.buffer({ spcOid: 1663, dbOid: 5, relNumber: 1 }, 0, 0);
const page = w.buffers.getPage(buf);
makeTestPage(page, 2 ** 40, 200, 8000, 1);
const tuple = new Uint8Array(15), xlrec = new Uint8Array(3);
const N = 3_000_000;
for (let k = 0; k < 4; k++) {
  const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) { const ins = w.ins; ins.beginInsert(); ins.registerData(xlrec, 0, 3); ins.registerBuffer(0, buf, REGBUF_STANDARD); ins.registerBufData(0, tuple, 0, 15); pageSetLSN(page, ins.insert(TEST_RMGR_ID, 0x10)); }
  const c = process.cpuUsage(c0); console.log('wall', (Number(process.hrtime.bigint() - t0) / N).toFixed(1), 'cpu', ((c.user + c.system) * 1000 / N).toFixed(1));
}
