import { describe, expect, it } from 'vitest';
import { uuidIn, uuidType } from './uuid.ts';

const canonical = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

describe('uuid', () => {
  it('accepts braces, upper case and hyphens after any group of four digits', () => {
    for (const s of [
      canonical, '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'A0EEBC999C0B4EF8BB6D6BB9BD380A11',
      'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
    ]) {
      expect(uuidIn(s)).toBe(canonical);
    }
  });

  it('rejects other spellings with 22P02', () => {
    for (const s of [' ' + canonical, canonical + '-', '{' + canonical, 'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11', '']) {
      expect(() => uuidIn(s)).toThrow(`invalid input syntax for type uuid: "${s}"`);
    }
  });

  it('stores 16 bytes in order, and compares as memcmp does', () => {
    const view = new DataView(new ArrayBuffer(17));
    uuidType.writeFixed?.(view, 1, canonical);
    expect(new Uint8Array(view.buffer, 1, 3)).toEqual(new Uint8Array([0xa0, 0xee, 0xbc]));
    expect(uuidType.readFixed?.(view, 1)).toBe(canonical);
    expect(uuidType.compare('00000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000000')).toBeLessThan(0);
  });
});
