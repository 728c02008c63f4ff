import { MemoryDirectory } from '@tabgres/opfs-storage';
import { bootstrapXLog } from './xlog.ts';
import { startWal } from './xlog_testutil.ts';
const dir = new MemoryDirectory();
bootstrapXLog(dir, { segmentSize: 16 << 20 });
const w = startWal(dir, { walBuffers: 512 });
const check = new Function('o', 'return %HasFastProperties(o)') as (o: unknown) => boolean;
console.log('ins fast', check(w.ins), 'xlog fast', check(w.xlog), 'rdata fast', check((w.ins as unknown as {rdata: unknown}).rdata), 'lw', check(w.lw));
