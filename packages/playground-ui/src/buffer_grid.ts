/*
 * buffer_grid.ts — the buffer pool, live: one cell per shared buffer,
 * drawn from the buffer descriptors in shared memory (shmem_view.ts).
 *
 * A cell's classes: `free` (no tag), `valid`, `dirty`, `pinned` (refcount
 * > 0), `io` (I/O in progress), `hand` (the clock sweep's next victim); its
 * data-usage attribute is the usage count (0..5), shown as the cell's
 * shade. Hovering a cell shows its tag (relfilenumber, fork, block),
 * refcount and usage count.
 *
 * The cells are made once per pool size and then only have their class
 * and attributes changed, and only when they differ, so a refresh many
 * times a second costs little layout work.
 */

import type { BufferPoolSnapshot } from './shmem_view.ts';

const FORKS = ['main', 'fsm', 'vm', 'init'];

export class BufferGrid {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly summary: HTMLElement;
  private cells: HTMLElement[] = [];
  private keys: string[] = [];

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'buffer-pool';
    this.summary = document.createElement('p');
    this.summary.className = 'summary';
    this.grid = document.createElement('div');
    this.grid.className = 'grid';
    const legend = document.createElement('p');
    legend.className = 'legend';
    for (const [cls, text] of [['free', 'free'], ['valid', 'valid'], ['valid dirty', 'dirty'], ['valid pinned', 'pinned'], ['hand', 'clock hand']]) {
      const sw = document.createElement('span');
      sw.className = `cell ${cls}`;
      sw.dataset.usage = '2';
      legend.append(sw, ` ${text}  `);
    }
    legend.append('· shade: usage count 0–5');
    this.element.append(this.summary, legend, this.grid);
  }

  update(s: BufferPoolSnapshot): void {
    if (this.cells.length !== s.nbuffers) {
      this.cells = [];
      this.keys = [];
      const frag = document.createDocumentFragment();
      for (let i = 0; i < s.nbuffers; i++) {
        const c = document.createElement('span');
        c.dataset.buffer = String(i + 1);
        this.cells.push(c);
        this.keys.push('');
        frag.append(c);
      }
      this.grid.replaceChildren(frag);
    }
    let valid = 0;
    let dirty = 0;
    let pinned = 0;
    for (let i = 0; i < s.nbuffers; i++) {
      const b = s.cells[i];
      if (b.valid) valid++;
      if (b.dirty) dirty++;
      if (b.refcount > 0) pinned++;
      const cls = `cell${b.tagValid ? '' : ' free'}${b.valid ? ' valid' : ''}${b.dirty ? ' dirty' : ''}${b.refcount > 0 ? ' pinned' : ''}${b.ioInProgress ? ' io' : ''}${i === s.clockHand ? ' hand' : ''}`;
      const key = `${cls}|${b.usageCount}|${b.relNumber}|${b.forkNum}|${b.blockNum}|${b.refcount}`;
      if (key === this.keys[i]) continue;
      this.keys[i] = key;
      const c = this.cells[i];
      c.className = cls;
      c.dataset.usage = String(b.usageCount);
      c.title = b.tagValid
        ? `buffer ${i + 1}: rel ${b.relNumber} ${FORKS[b.forkNum] ?? `fork ${b.forkNum}`} block ${b.blockNum}\nrefcount ${b.refcount}, usage ${b.usageCount}${b.dirty ? ', dirty' : ''}`
        : `buffer ${i + 1}: free`;
    }
    this.summary.textContent = `${s.nbuffers} buffers: ${valid} valid, ${dirty} dirty, ${pinned} pinned; clock hand at buffer ${s.clockHand + 1}, ${s.completePasses} complete passes, ${s.numAllocs} allocations`;
    this.element.dataset.valid = String(valid);
    this.element.dataset.dirty = String(dirty);
    this.element.dataset.pinned = String(pinned);
    this.element.dataset.hand = String(s.clockHand + 1);
  }
}
