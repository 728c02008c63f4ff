/*
 * FOREIGN KEY enforcement compared with PostgreSQL (PGlite): the messages
 * and DETAILs, each ON DELETE / ON UPDATE action, MATCH SIMPLE nulls, rows
 * inserted in any order within one statement, and a seeded random workload
 * over a parent and a child table per action whose outcomes (errors and
 * final contents) must agree statement by statement.
 */
import { describe, it } from 'vitest';
import { compareScriptsWithPostgres } from '../../commands/pgscript.testutil.ts';

const same = compareScriptsWithPostgres();

describe('foreign keys vs PostgreSQL', () => {
  it('insert/update of the referencing table', async () => {
    await same([
      'CREATE TABLE p (id int PRIMARY KEY, name text)',
      'CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p)',
      'INSERT INTO c VALUES (1, 5)',
      "INSERT INTO p VALUES (1, 'a'), (2, 'b')",
      'INSERT INTO c VALUES (1, 1), (2, NULL), (3, 2)',
      'UPDATE c SET p_id = 7 WHERE id = 1',
      'UPDATE c SET p_id = 2 WHERE id = 1',
      'SELECT * FROM c ORDER BY id',
    ]);
  });

  it('NO ACTION and RESTRICT on delete and update of the referenced table', async () => {
    await same([
      'CREATE TABLE p (id int PRIMARY KEY)',
      'CREATE TABLE c (id int, p_id int REFERENCES p)',
      'CREATE TABLE r (id int, p_id int REFERENCES p ON DELETE RESTRICT ON UPDATE RESTRICT)',
      'INSERT INTO p VALUES (1), (2), (3)',
      'INSERT INTO c VALUES (1, 1)',
      'INSERT INTO r VALUES (1, 2)',
      'DELETE FROM p WHERE id = 1',
      'UPDATE p SET id = 10 WHERE id = 1',
      'DELETE FROM p WHERE id = 2',
      'UPDATE p SET id = 20 WHERE id = 2',
      'DELETE FROM p WHERE id = 3',
      'SELECT * FROM p ORDER BY id',
    ]);
  });

  it('CASCADE, SET NULL and SET DEFAULT', async () => {
    await same([
      'CREATE TABLE p (id int PRIMARY KEY)',
      'CREATE TABLE cc (id int, p_id int REFERENCES p ON DELETE CASCADE ON UPDATE CASCADE)',
      'CREATE TABLE cn (id int, p_id int REFERENCES p ON DELETE SET NULL ON UPDATE SET NULL)',
      'CREATE TABLE cd (id int, p_id int DEFAULT 0 REFERENCES p ON DELETE SET DEFAULT)',
      'INSERT INTO p VALUES (0), (1), (2), (3)',
      'INSERT INTO cc VALUES (1, 1), (2, 2), (3, 3)',
      'INSERT INTO cn VALUES (1, 1), (2, 2)',
      'INSERT INTO cd VALUES (1, 1), (2, 3)',
      'DELETE FROM p WHERE id = 1',
      'UPDATE p SET id = 20 WHERE id = 2',
      'SELECT * FROM cc ORDER BY id',
      'SELECT * FROM cn ORDER BY id',
      'SELECT * FROM cd ORDER BY id',
      'DELETE FROM p WHERE id = 0',
      'DELETE FROM p WHERE id = 3',
      'SELECT * FROM cd ORDER BY id',
    ]);
  });

  it('multi-column keys, MATCH SIMPLE and MATCH FULL', async () => {
    await same([
      'CREATE TABLE p (a int, b int, PRIMARY KEY (a, b))',
      'CREATE TABLE s (x int, y int, FOREIGN KEY (x, y) REFERENCES p (a, b))',
      'CREATE TABLE f (x int, y int, FOREIGN KEY (x, y) REFERENCES p MATCH FULL)',
      'INSERT INTO p VALUES (1, 1)',
      'INSERT INTO s VALUES (1, 1), (1, NULL), (NULL, 9)',
      'INSERT INTO s VALUES (1, 2)',
      'INSERT INTO f VALUES (NULL, NULL)',
      'INSERT INTO f VALUES (1, NULL)',
      'DELETE FROM p',
    ]);
  });

  it('a statement may insert the child before the parent (self-reference)', async () => {
    await same([
      'CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree)',
      'INSERT INTO tree VALUES (2, 1), (1, NULL), (3, 2)',
      'DELETE FROM tree WHERE id = 1',
      'DELETE FROM tree WHERE id >= 2',
      'INSERT INTO tree VALUES (5, 6)',
      'SELECT count(*) FROM tree',
    ]);
  });

  it('42830 when no unique index matches the referenced columns', async () => {
    await same([
      'CREATE TABLE p (id int PRIMARY KEY, u int, v int)',
      'CREATE TABLE c1 (x int REFERENCES p (u))',
      'CREATE TABLE q (v int)',
      'CREATE TABLE c2 (x int REFERENCES q)',
      'CREATE TABLE c3 (x int, y int, FOREIGN KEY (x, y) REFERENCES p (id))',
      'CREATE TABLE c4 (x text REFERENCES p)',
      'CREATE TABLE c5 (x int REFERENCES nosuch)',
    ]);
  });

  for (const action of ['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT']) {
    it(`random workload, ON DELETE/UPDATE ${action}`, async () => {
      let seed = action.length * 7919 + 17;
      const rnd = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const onUpdate = action === 'SET DEFAULT' ? 'NO ACTION' : action;
      const script = [
        'CREATE TABLE p (id int PRIMARY KEY, w int)',
        `CREATE TABLE c (id int PRIMARY KEY, p_id int DEFAULT 1 REFERENCES p ON DELETE ${action} ON UPDATE ${onUpdate})`,
        'INSERT INTO p VALUES (1, 0)',
      ];
      for (let i = 0; i < 120; i++) {
        switch (rnd(9)) {
          case 6:
            script.push(`DELETE FROM p WHERE id < ${rnd(6)}`);
            continue;
          case 7:
            script.push(`UPDATE p SET w = w + 1 WHERE id < ${rnd(8)}`);
            continue;
          case 8:
            script.push(`INSERT INTO c SELECT id + ${10 + rnd(20)}, id FROM p WHERE id < ${rnd(8)}`);
            continue;
          case 0:
            script.push(`INSERT INTO p VALUES (${rnd(8)}, ${rnd(5)})`);
            break;
          case 1:
            script.push(`INSERT INTO c VALUES (${rnd(12)}, ${rnd(3) === 0 ? 'NULL' : rnd(8)})`);
            break;
          case 2:
            script.push(`DELETE FROM p WHERE id = ${rnd(8)}`);
            break;
          case 3:
            script.push(`UPDATE p SET id = ${rnd(8)} WHERE id = ${rnd(8)}`);
            break;
          case 4:
            script.push(`UPDATE c SET p_id = ${rnd(8)} WHERE id = ${rnd(12)}`);
            break;
          default:
            script.push(`DELETE FROM c WHERE p_id = ${rnd(8)}`);
        }
      }
      script.push('SELECT * FROM p ORDER BY id', 'SELECT * FROM c ORDER BY id');
      await same(script);
    });
  }
});
