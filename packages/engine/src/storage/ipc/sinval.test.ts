/*
 * The shared invalidation ring (sinval.ts): delivery to every other
 * backend once, in order; the sender skips its own messages; a backend
 * that falls a ring behind is reset; a detached backend holds nothing
 * back; message numbers wrap around without losing or reordering any.
 */
import { describe, expect, it } from 'vitest';
import { SINVAL_MAX_MESSAGES, SINVAL_MSGNUM_WRAPAROUND } from '../../constants.ts';
import type { InvalidationMessage } from '../../utils/cache/inval.ts';
import { LWLockOwner } from '../lmgr/lwlock.ts';
import { Shmem, ShmemSizer } from './shmem.ts';
import { SharedInvalidation, sinvalShmemInit, sinvalShmemSize } from './sinval.ts';

function segment(): Shmem {
  const sizer = new ShmemSizer();
  sinvalShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  sinvalShmemInit(shmem);
  return shmem;
}

function backend(shmem: Shmem, procno: number, db = 5): SharedInvalidation {
  return new SharedInvalidation(Shmem.attach(shmem.sab), new LWLockOwner(shmem.i32), procno, db);
}

function drain(b: SharedInvalidation): { msgs: InvalidationMessage[]; reset: boolean } {
  const msgs: InvalidationMessage[] = [];
  let reset = false;
  b.receive((m) => msgs.push(m), () => {
    reset = true;
  });
  return { msgs, reset };
}

const rel = (relId: number): InvalidationMessage => ({ kind: 'relcache', relId });

describe('shared invalidation queue', () => {
  it('delivers each message once, in order, to every other backend; not back to its sender', () => {
    const shmem = segment();
    const a = backend(shmem, 0);
    const b = backend(shmem, 1);
    const c = backend(shmem, 2);
    expect(b.hasMessages()).toBe(false);
    a.send([rel(16384), { kind: 'catcache', cacheId: 'RELNAMENSP' }, { kind: 'catcache', cacheId: 'NAMESPACE' }, rel(0)]);
    expect(a.hasMessages()).toBe(false);
    expect(b.hasMessages()).toBe(true);
    const got = drain(b);
    expect(got.reset).toBe(false);
    expect(got.msgs).toEqual([rel(16384), { kind: 'catcache', cacheId: 'RELNAMENSP' }, { kind: 'catcache', cacheId: 'NAMESPACE' }, rel(0)]);
    expect(drain(b).msgs).toEqual([]);
    expect(drain(c).msgs.length).toBe(4);
    expect(drain(a).msgs).toEqual([]);
  });

  it('a sender that had not read everything reads its own messages too (harmless: they only drop entries)', () => {
    const shmem = segment();
    const a = backend(shmem, 0);
    const b = backend(shmem, 1);
    b.send([rel(1)]);
    a.send([rel(2)]);
    expect(drain(a).msgs).toEqual([rel(1), rel(2)]);
  });

  it('a backend that attaches later starts at the end of the queue', () => {
    const shmem = segment();
    const a = backend(shmem, 0);
    a.send([rel(7)]);
    const late = backend(shmem, 3);
    expect(late.hasMessages()).toBe(false);
    a.send([rel(8)]);
    expect(drain(late).msgs).toEqual([rel(8)]);
  });

  it('ignores messages for another database', () => {
    const shmem = segment();
    const a = backend(shmem, 0, 5);
    const other = backend(shmem, 1, 6);
    a.send([rel(9)]);
    expect(drain(other).msgs).toEqual([]);
  });

  it('a backend that falls a ring behind is reset instead; the others keep their messages', () => {
    const shmem = segment();
    const writer = backend(shmem, 0);
    const laggard = backend(shmem, 1);
    const reader = backend(shmem, 2);
    const batch = Array.from({ length: 100 }, (_, i) => rel(20_000 + i));
    let readerGot = 0;
    for (let round = 0; round * batch.length < SINVAL_MAX_MESSAGES * 2; round++) {
      writer.send(batch);
      readerGot += drain(reader).msgs.length;
    }
    expect(readerGot).toBe(Math.ceil((SINVAL_MAX_MESSAGES * 2) / 100) * 100);
    expect(writer.resets).toBe(1);
    const r = drain(laggard);
    expect(r.reset).toBe(true);
    expect(r.msgs).toEqual([]);
    expect(laggard.hasMessages()).toBe(false);
    writer.send([rel(5)]);
    expect(drain(laggard)).toEqual({ msgs: [rel(5)], reset: false });
  });

  it('message numbers are lowered at the wraparound point; readers lose nothing and read in order', () => {
    const shmem = segment();
    const writer = backend(shmem, 0);
    const reader = backend(shmem, 1);
    // White-box: move the queue (empty, both backends caught up) to just before the wraparound
    // point (header words 1 and 2, slot word 1; the layout is drawn in sinval.ts).
    const base = (shmem.lookup('SharedInvalidation') as { offset: number }).offset >> 2;
    const start = SINVAL_MSGNUM_WRAPAROUND - 10;
    shmem.i32[base + 1] = start;
    shmem.i32[base + 2] = start;
    for (const procno of [0, 1]) shmem.i32[base + 16 + procno * 4 + 1] = start;
    let sent = 0;
    const got: number[] = [];
    for (let round = 0; round < 60; round++) {
      writer.send(Array.from({ length: 100 }, () => rel(++sent)));
      for (const m of drain(reader).msgs) got.push(m.kind === 'relcache' ? m.relId : -1);
    }
    expect(got).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    expect(shmem.i32[base + 2]).toBeLessThan(SINVAL_MSGNUM_WRAPAROUND);
    expect(writer.resets).toBe(0);
  });

  it('a detached backend holds nothing back and its slot can be taken again', () => {
    const shmem = segment();
    const writer = backend(shmem, 0);
    const gone = backend(shmem, 1);
    gone.detach();
    expect(() => gone.send([rel(1)])).toThrow(/detached/);
    for (let i = 0; i < 3; i++) writer.send(Array.from({ length: SINVAL_MAX_MESSAGES / 2 }, (_, k) => rel(k + 1)));
    expect(writer.resets).toBe(0);
    const again = backend(shmem, 1);
    expect(again.hasMessages()).toBe(false);
    expect(() => backend(shmem, 1)).toThrow(/already in use/);
  });
});
