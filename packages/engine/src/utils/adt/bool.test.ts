import { describe, expect, it } from 'vitest';
import { boolType, parseBool } from './bool.ts';

describe('bool', () => {
  it('accepts unambiguous prefixes of true/false/yes/no/on/off and 1/0', () => {
    for (const t of ['t', 'TRUE', ' tru ', 'y', 'Ye', 'on', 'ON', '1']) expect(parseBool(t)).toBe(true);
    for (const f of ['f', 'fAlSe', 'n', 'no', 'of', 'OFF', '0', '\n\tfalse ']) expect(parseBool(f)).toBe(false);
    for (const bad of ['o', '', 'truex', 'yess', '10', '01', 'nope', 'onn']) expect(parseBool(bad)).toBeNull();
  });

  it('raises 22P02 quoting the original text', () => {
    expect(() => boolType.input(' maybe ', -1)).toThrow('invalid input syntax for type boolean: " maybe "');
  });

  it('prints t/f, stores one byte and sorts false first', () => {
    expect(boolType.output(true)).toBe('t');
    expect(boolType.output(false)).toBe('f');
    const view = new DataView(new ArrayBuffer(1));
    boolType.writeFixed?.(view, 0, true);
    expect(view.getUint8(0)).toBe(1);
    expect(boolType.readFixed?.(view, 0)).toBe(true);
    expect(boolType.compare(false, true)).toBeLessThan(0);
  });
});
