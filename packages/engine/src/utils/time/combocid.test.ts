import { describe, expect, it } from 'vitest';
import { HEAP_COMBOCID, HEAP_XMIN_COMMITTED, htupSetCid, htupSetInfomask, htupSetXmin } from '../../access/common/htup_details.ts';
import { ComboCids } from './combocid.ts';

const OFF = 16;

function tuple(xmin: number, cid: number, infomask = 0): Uint8Array {
  const page = new Uint8Array(256);
  htupSetXmin(page, OFF, xmin);
  htupSetCid(page, OFF, cid);
  htupSetInfomask(page, OFF, infomask);
  return page;
}

describe('ComboCids', () => {
  it('maps the same (cmin, cmax) pair to the same combo id', () => {
    const c = new ComboCids();
    const a = c.getComboCommandId(0, 1);
    expect(c.getComboCommandId(0, 1)).toBe(a);
    const b = c.getComboCommandId(0, 2);
    expect(b).not.toBe(a);
    expect([c.realCmin(b), c.realCmax(b)]).toEqual([0, 2]);
    expect(c.size).toBe(2);
  });

  it('makes a combo id only for tuples my own transaction inserted', () => {
    const c = new ComboCids();
    const mine = (xid: number): boolean => xid === 500;
    const own = tuple(500, 3);
    const cid = c.adjustCmax(own, OFF, 7, mine);
    expect(c.lastAdjustIsCombo).toBe(true);
    htupSetCid(own, OFF, cid);
    htupSetInfomask(own, OFF, HEAP_COMBOCID);
    expect(c.getCmin(own, OFF)).toBe(3);
    expect(c.getCmax(own, OFF)).toBe(7);

    const theirs = tuple(400, 9, HEAP_XMIN_COMMITTED);
    expect(c.adjustCmax(theirs, OFF, 7, mine)).toBe(7);
    expect(c.lastAdjustIsCombo).toBe(false);
    expect(c.getCmin(theirs, OFF)).toBe(9);
  });

  it('grows past its initial capacity and forgets everything at transaction end', () => {
    const c = new ComboCids();
    for (let i = 0; i < 1000; i++) expect(c.getComboCommandId(i, i + 1)).toBe(i);
    expect(c.realCmax(999)).toBe(1000);
    c.atEOXact();
    expect(c.size).toBe(0);
    expect(c.getComboCommandId(5, 6)).toBe(0);
  });
});
