import { it } from 'vitest';
import { CrashSimDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { Workload } from './crash_workload.ts';
import { Workload as Base } from './zz_base_workload.ts';
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
function run(W: typeof Workload | typeof Base, name: string) {
  const T: Record<string, number> = { step: 0, copy: 0, open: 0, verify: 0, close: 0 };
  for (const seed of [1000, 1001, 1002, 1003]) {
  const wl = new W(seed);
  for (let i = 0; i < 100; i++) {
    let t = cpu();
    for (let s = 0; s < 6; s++) wl.step();
    T.step += cpu() - t; t = cpu();
    const copy = CrashSimDirectory.fromSnapshot(wl.dir.snapshot());
    copy.crash({ seed: i, mode: 'drop' });
    T.copy += cpu() - t; t = cpu();
    const db = StorageEngine.open({ dir: copy, ...wl.settings });
    T.open += cpu() - t; t = cpu();
    const p = wl.verify(db); if (p) throw new Error(p);
    T.verify += cpu() - t; t = cpu();
    db.close();
    T.close += cpu() - t;
  }
  wl.finish();
  }
  const tot = Object.values(T).reduce((a, b) => a + b, 0);
  console.log(name, Math.round(tot), JSON.stringify(Object.fromEntries(Object.entries(T).map(([k, v]) => [k, Math.round(v)]))));
}
it('prof', () => {
  for (let r = 0; r < 3; r++) { run(Base, 'base'); run(Workload, 'new'); }
}, 600000);
