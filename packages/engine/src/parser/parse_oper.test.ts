// operOid's lookup cache (OprCacheHash): a cached answer equals a fresh resolution, and failures are not cached.
import { describe, expect, it } from 'vitest';
import { PgError } from '../utils/errors.ts';
import { operOid } from './parse_oper.ts';

const INT4 = 23;
const INT8 = 20;
const BOOL = 16;
const UNKNOWN = 705;

describe('operOid', () => {
  it('gives the same operator on a repeated lookup', () => {
    const first = operOid('>=', INT4, INT4);
    expect(first.oprleft).toBe(INT4);
    expect(operOid('>=', INT4, INT4)).toBe(first);
  });

  it('keeps lookups with different operand types apart', () => {
    const ii = operOid('+', INT4, INT4);
    const il = operOid('+', INT4, INT8);
    const uu = operOid('+', INT4, UNKNOWN);
    expect([ii.oprleft, ii.oprright]).toEqual([INT4, INT4]);
    expect([il.oprleft, il.oprright]).toEqual([INT4, INT8]);
    expect(uu).toBe(ii);
    expect(operOid('-', 0, INT4).oprkind).toBe('l');
  });

  it('raises 42883 every time for an operator that does not exist', () => {
    for (let i = 0; i < 2; i++) {
      let err: unknown = null;
      try {
        operOid('+', INT4, BOOL);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PgError);
      expect((err as PgError).code).toBe('42883');
    }
  });
});
