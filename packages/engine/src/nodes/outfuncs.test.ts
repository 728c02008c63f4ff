import { describe, expect, it } from 'vitest';
import { nodeToString, stringToNode } from './outfuncs.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { Jsonb, JsonbNumber, JsonbObject } from '../utils/adt/jsonb.ts';
import { RecordValue } from '../utils/adt/rowtypes.ts';
import { encodeNodeTree, decodeNodeTree } from '../catalog/nodetree.ts';

const konst = (consttype: number, constvalue: unknown) => ({ type: 'Const', consttype, consttypmod: -1, constvalue, constisnull: false, location: 3 });

describe('nodeToString / stringToNode', () => {
  it('round-trips Const values JSON cannot carry', () => {
    const values: unknown[] = [
      42, 'text with "quotes" and \u00e9', true, null,
      -9223372036854775808n, 12345678901234567890n,
      new Uint8Array([0, 1, 254, 255]),
      { months: 14, days: -3, micros: -1234567n },
      NaN, Infinity, -Infinity, -0,
      ArrayValue.of(23, [1, null, 3]),
      new ArrayValue(25, [2, 2], [0, 1], ['a', 'b', null, 'd']),
      new Jsonb(new JsonbObject(['a', 'bb'], [new JsonbNumber('1.50'), [true, null, 'x']])),
      new RecordValue([1, 'x', null], [23, 25, 25]),
    ];
    for (const v of values) {
      const tree = { type: 'OpExpr', opno: 96, args: [konst(0, v), { type: 'Var', varno: 1, varattno: 2, vartype: 23, vartypmod: -1, varlevelsup: 0, location: -1 }] };
      const back = stringToNode<typeof tree>(nodeToString(tree));
      expect(back).toEqual(tree);
      const c = back.args[0] as { constvalue: unknown };
      if (typeof v === 'number') expect(Object.is(c.constvalue, v)).toBe(true);
      if (v !== null && typeof v === 'object') expect(Object.getPrototypeOf(c.constvalue)).toBe(Object.getPrototypeOf(v));
    }
  });

  it('keeps a nested Query and its text with the source of a catalog expression', () => {
    const q = { type: 'Query', commandType: 'CMD_SELECT', rtable: [{ type: 'RangeTblEntry', rtekind: 'RTE_RELATION', relid: 16384, alias: null }], jointree: { type: 'FromExpr', fromlist: [], quals: null } };
    const text = encodeNodeTree(q, 'SELECT a FROM t');
    expect(decodeNodeTree(text)).toEqual({ node: q, src: 'SELECT a FROM t' });
    expect(() => decodeNodeTree('{"x":1}')).toThrow('malformed pg_node_tree value');
  });
});
