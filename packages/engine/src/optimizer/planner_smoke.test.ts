import { describe, expect, it } from 'vitest';
import { FakeCatalog, explainSql } from './planner.testutil.ts';

const cat = new FakeCatalog();
cat.addTable({ name: 't', columns: [['a', 'int4'], ['b', 'text']], indexes: [{ name: 't_a', columns: ['a'] }] });
cat.addTable({ name: 'u', columns: [['a', 'int4', -1, true], ['c', 'int4']], indexes: [{ name: 'u_pkey', columns: ['a'], primary: true }] });

describe('smoke', () => {
  for (const sql of [
    'select * from t',
    'select * from t where a = 1',
    'select * from u where a = 1',
    'select * from t order by a',
    'select * from t order by b limit 5',
    'select * from t join u on t.a = u.a',
    'select a, count(*) from t group by a',
    'select 1',
 'select * from t where a in (select c from u)',
 'select a, (select max(c) from u) from t where exists (select 1 from u where u.c = t.a)',
 'select * from t where false',
 'select * from generate_series(1,10)',
 'values (1),(2)',
 'select a from t union select c from u',
 'with recursive r(n) as (select 1 union all select n+1 from r where n < 10) select * from r',
 "update t set b = 'x' where a = 1",
 "insert into t values (1, 'a')",
 'select t.a, (select c from u where u.a = t.a) from t',
 'select * from t where a = any(array[1,2,3])',
 "select * from t where b = 'x' and a > 5",
 'select a from t intersect select c from u',
 'select distinct a from t',
 'select row_number() over (order by a) from t',
 'select * from t for update',
 "select t.a, u.c from t join u on t.a = u.a where t.b like 'x%'",
 'delete from t where a < 3 returning b',
 'select * from t left join u on t.a = u.a where u.c is null',
 'select * from t where not exists (select 1 from u where u.a = t.a)',
 'select * from (select a, count(*) from t group by a) s where a > 1',
 'with c as (select * from t) select * from c',
 'with c as materialized (select * from t) select * from c c1, c c2',
 'select a from t order by a desc limit 3',
 'select count(*) from t having count(*) > 1',
 'select b, sum(a) from t group by b order by 2',
 'select generate_series(1,3)',
 'select * from t t1, t t2 where t1.a = t2.a',
  ]) it(sql, () => {
    console.log(explainSql(cat, sql));
    expect(1).toBe(1);
  });
});
