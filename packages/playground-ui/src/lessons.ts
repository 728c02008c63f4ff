/*
 * lessons.ts — the guided lessons, as data: each lesson a list of steps,
 * each step a few sentences, the SQL to run and in which session, what to
 * look at and which internals view shows it. lesson_panel.ts draws any
 * lesson; nothing here knows about the page.
 *
 * Rules for a step:
 *  1. Its SQL runs in the session it names (1 or 2, the two sessions the
 *     page always has), as a script, the way a user's Run does; so a step
 *     may leave a transaction open for the next one.
 *  2. A step that makes a session wait (a row lock, a deadlock) is the last
 *     SQL of that session in the step: the "run this" of the other session
 *     is what ends the wait.
 *  3. Table names are the lesson's own (mvcc_demo, lock_demo, plan_demo,
 *     crash_demo) and the first step drops and creates them, so a lesson can
 *     be taken again, in any database.
 */

/** An internals view to open for a step (main.ts's view names), with what to put in it. */
export type LessonView =
  | { view: 'locks' }
  | { view: 'wal' }
  | { view: 'buffers' }
  | { view: 'page'; relation: string; block: number }
  | { view: 'journey'; session: number; analyze: boolean }
  | { view: 'snapshots'; table: string };

export interface LessonSql {
  /** 1 or 2: the session whose editor gets the SQL (rule 1). */
  session: number;
  sql: string;
}

export interface LessonStep {
  title: string;
  /** Two or three sentences: what happens and why. */
  text: string;
  sql: LessonSql[];
  /** What to look at after running. */
  look: string;
  show?: LessonView;
  /** A button of the panel's own: 'crash' ends every backend worker (the postmaster restarts through recovery). */
  action?: 'crash';
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  steps: LessonStep[];
}

const mvcc: Lesson = {
  id: 'mvcc',
  title: 'MVCC: versions, xmin and xmax',
  summary: 'Two sessions see different versions of the same table: a row is a version stamped with the transaction that made it (xmin) and the one that deleted or replaced it (xmax).',
  steps: [
    {
      title: 'A table with one committed row',
      text: 'Session 1 makes a table and commits one row (each statement outside BEGIN is its own transaction).',
      sql: [{ session: 1, sql: "DROP TABLE IF EXISTS mvcc_demo;\nCREATE TABLE mvcc_demo (id int, note text);\nINSERT INTO mvcc_demo VALUES (1, 'committed');\nSELECT * FROM mvcc_demo;" }],
      look: 'Session 1 shows the row.',
    },
    {
      title: 'An uncommitted row is invisible to others',
      text: 'Session 1 opens a transaction and inserts a second row without committing. The row is already on the heap page, but session 2\'s snapshot treats its inserting transaction as still running, so it skips the row.',
      sql: [
        { session: 1, sql: "BEGIN;\nINSERT INTO mvcc_demo VALUES (2, 'added in a transaction');\nSELECT ctid, * FROM mvcc_demo;\nSELECT txid_current() AS my_xid;" },
        { session: 2, sql: 'SELECT ctid, * FROM mvcc_demo;' },
      ],
      look: 'Session 1 sees two rows, session 2 only one. The snapshots view lists both versions and why each session does or does not see them.',
      show: { view: 'snapshots', table: 'mvcc_demo' },
    },
    {
      title: 'xmin and xmax in the page',
      text: 'Every tuple header carries t_xmin (the inserting transaction) and t_xmax (the deleting one, 0 while nobody deleted it). pageinspect\'s heap_page_items reads the raw page, under every snapshot: session 2 sees there the tuple its SELECT skipped.',
      sql: [{ session: 2, sql: "SELECT lp, t_xmin, t_xmax, t_ctid\n  FROM heap_page_items(get_raw_page('mvcc_demo', 0));" }],
      look: 'Both tuples are on block 0; the second one\'s t_xmin is session 1\'s my_xid. The page inspector shows the same header fields with the infomask bits named.',
      show: { view: 'page', relation: 'mvcc_demo', block: 0 },
    },
    {
      title: 'COMMIT makes it visible',
      text: 'Committing marks session 1\'s transaction committed in the commit log; no tuple is rewritten. Session 2\'s next statement takes a new snapshot (READ COMMITTED) and sees the row.',
      sql: [
        { session: 1, sql: 'COMMIT;' },
        { session: 2, sql: 'SELECT ctid, * FROM mvcc_demo;' },
      ],
      look: 'Session 2 now shows both rows.',
    },
    {
      title: 'UPDATE writes a new version',
      text: 'An UPDATE never changes a row in place: it sets xmax on the old version and inserts a new one, linked from the old one\'s t_ctid. Until session 1 commits, session 2 keeps reading the old version.',
      sql: [
        { session: 1, sql: "BEGIN;\nUPDATE mvcc_demo SET note = 'updated' WHERE id = 1;\nSELECT ctid, * FROM mvcc_demo;" },
        { session: 2, sql: "SELECT ctid, * FROM mvcc_demo;\nSELECT lp, t_xmin, t_xmax, t_ctid\n  FROM heap_page_items(get_raw_page('mvcc_demo', 0));" },
      ],
      look: 'In the page inspector (block 0), the old version (line pointer 1) has t_xmax set and t_ctid pointing at the new version (0,3); session 2 still shows (0,1) with note "committed".',
      show: { view: 'page', relation: 'mvcc_demo', block: 0 },
    },
    {
      title: 'After COMMIT, the old version is dead',
      text: 'Session 1 commits; from now on every new snapshot sees the new version and none sees the old one. The old tuple stays on the page until VACUUM (or page pruning) removes it.',
      sql: [
        { session: 1, sql: 'COMMIT;' },
        { session: 2, sql: 'SELECT ctid, * FROM mvcc_demo;' },
      ],
      look: 'Session 2 reads (0,3) now; the page inspector still shows the dead version at (0,1).',
      show: { view: 'page', relation: 'mvcc_demo', block: 0 },
    },
  ],
};

const locking: Lesson = {
  id: 'locking',
  title: 'Row locks, waits and a deadlock',
  summary: 'A second writer of a row waits for the first one\'s transaction; two writers that wait for each other are a deadlock, which the detector breaks with 40P01.',
  steps: [
    {
      title: 'Two accounts',
      text: 'Session 1 makes a table of two rows.',
      sql: [{ session: 1, sql: 'DROP TABLE IF EXISTS lock_demo;\nCREATE TABLE lock_demo (id int PRIMARY KEY, balance int);\nINSERT INTO lock_demo VALUES (1, 100), (2, 100);' }],
      look: 'Session 1 shows CREATE TABLE and INSERT 0 2.',
    },
    {
      title: 'A row lock makes the other session wait',
      text: 'Session 1 updates row 1 inside an open transaction, so the row carries its XID as xmax. Session 2\'s UPDATE of the same row finds that xmax still running and sleeps on a ShareLock of session 1\'s transaction ID until it ends.',
      sql: [
        { session: 1, sql: 'BEGIN;\nUPDATE lock_demo SET balance = balance - 10 WHERE id = 1;' },
        { session: 2, sql: 'UPDATE lock_demo SET balance = balance + 10 WHERE id = 1;' },
      ],
      look: 'Session 2 says "waiting for a lock". In the locks view, the wait-for graph has an arrow from session 2\'s pid to session 1\'s, labelled "ShareLock on transaction N".',
      show: { view: 'locks' },
    },
    {
      title: 'COMMIT wakes the waiter',
      text: 'Session 1 commits and releases its transaction lock; session 2 wakes, re-reads the row\'s newest version and applies its UPDATE to it (balance 90 + 10).',
      sql: [
        { session: 1, sql: 'COMMIT;' },
        { session: 2, sql: 'SELECT * FROM lock_demo ORDER BY id;' },
      ],
      look: 'Session 2 finished with UPDATE 1, row 1\'s balance is 100 again, and the graph is empty.',
      show: { view: 'locks' },
    },
    {
      title: 'Each session locks one row',
      text: 'Both sessions open a transaction and update a different row, so each holds one row lock. deadlock_timeout (how long a waiter sleeps before it looks for a cycle, 1 s by default) is raised so the cycle stays long enough to see: 1 min in session 1, 10 s in session 2.',
      sql: [
        { session: 1, sql: "SET deadlock_timeout = '1min';\nBEGIN;\nUPDATE lock_demo SET balance = balance - 1 WHERE id = 1;" },
        { session: 2, sql: "SET deadlock_timeout = '10s';\nBEGIN;\nUPDATE lock_demo SET balance = balance - 1 WHERE id = 2;" },
      ],
      look: 'Both sessions are "in transaction"; nobody waits yet.',
    },
    {
      title: 'A cycle: each waits for the other',
      text: 'Session 1 now wants row 2 (held by session 2) and waits; then session 2 wants row 1 (held by session 1). Neither can go on: the wait-for graph has a cycle, drawn red, until session 2\'s deadlock_timeout passes and its deadlock check finds the cycle and aborts its own transaction.',
      sql: [
        { session: 1, sql: 'UPDATE lock_demo SET balance = balance + 1 WHERE id = 2;' },
        { session: 2, sql: 'UPDATE lock_demo SET balance = balance + 1 WHERE id = 1;' },
      ],
      look: 'For about 10 s the graph shows the cycle. Then session 2 gets ERROR 40P01 "deadlock detected" (its DETAIL names both waits) and session 1\'s UPDATE goes through.',
      show: { view: 'locks' },
    },
    {
      title: 'Clean up',
      text: 'Session 2\'s transaction is aborted and must be rolled back; session 1 commits what it did. Both go back to the default deadlock_timeout.',
      sql: [
        { session: 2, sql: 'ROLLBACK;\nRESET deadlock_timeout;' },
        { session: 1, sql: 'COMMIT;\nRESET deadlock_timeout;\nSELECT * FROM lock_demo ORDER BY id;' },
      ],
      look: 'Only session 1\'s changes are there: row 1 99, row 2 101.',
    },
  ],
};

const indexPlan: Lesson = {
  id: 'index',
  title: 'How an index changes a plan',
  summary: 'The planner chooses between reading the whole table and using an index by their estimated costs; EXPLAIN ANALYZE shows the choice and what it cost.',
  steps: [
    {
      title: 'A table big enough to notice',
      text: 'Session 1 fills a table with 50 000 rows (generate_series), 5 000 distinct user_id values of 10 rows each, and ANALYZE gathers the statistics the planner estimates with.',
      sql: [{ session: 1, sql: 'DROP TABLE IF EXISTS plan_demo;\nCREATE TABLE plan_demo (id int, user_id int, payload text);\nINSERT INTO plan_demo SELECT g, g % 5000, md5(g::text) FROM generate_series(1, 50000) g;\nANALYZE plan_demo;' }],
      look: 'INSERT 0 50000, then ANALYZE.',
    },
    {
      title: 'Without an index: a sequential scan',
      text: 'With no index on user_id, the only way to find its 10 rows is to read all 50 000 and filter them.',
      sql: [{ session: 1, sql: 'SELECT * FROM plan_demo WHERE user_id = 42;' }],
      look: 'The query journey\'s plan (EXPLAIN ANALYZE): a Seq Scan with Filter (user_id = 42), actual rows=10, and the execution time.',
      show: { view: 'journey', session: 1, analyze: true },
    },
    {
      title: 'CREATE INDEX: the plan changes',
      text: 'A B-tree on user_id lets the executor go straight to the matching heap tuples. The planner now estimates a few page reads instead of the whole table and picks the index.',
      sql: [{ session: 1, sql: 'CREATE INDEX plan_demo_user_id ON plan_demo (user_id);\nANALYZE plan_demo;\nSELECT * FROM plan_demo WHERE user_id = 42;' }],
      look: 'The plan now uses plan_demo_user_id (an Index Scan or a Bitmap Heap Scan over a Bitmap Index Scan); compare its execution time with the step before.',
      show: { view: 'journey', session: 1, analyze: true },
    },
    {
      title: 'Not selective: the index is not used',
      text: 'For half the table the index would visit nearly every page anyway, in random order, so the planner estimates the sequential scan cheaper and keeps it.',
      sql: [{ session: 1, sql: 'SELECT count(*) FROM plan_demo WHERE user_id < 2500;' }],
      look: 'A Seq Scan again (under the Aggregate), although the index exists.',
      show: { view: 'journey', session: 1, analyze: true },
    },
  ],
};

const crash: Lesson = {
  id: 'crash',
  title: 'WAL and crash recovery',
  summary: 'A commit is durable when its WAL is flushed, whatever was written to the data files; after a crash, recovery replays the WAL and what never committed stays invisible.',
  steps: [
    {
      title: 'Committed rows',
      text: 'Session 1 commits two rows. COMMIT returns only after the WAL up to its commit record has been flushed to the WAL file in OPFS; the table\'s data page may still be only in shared buffers.',
      sql: [{ session: 1, sql: "DROP TABLE IF EXISTS crash_demo;\nCREATE TABLE crash_demo (id int, note text);\nINSERT INTO crash_demo VALUES (1, 'committed'), (2, 'committed too');" }],
      look: 'The WAL stream has Heap INSERT records and a Transaction COMMIT.',
      show: { view: 'wal' },
    },
    {
      title: 'Uncommitted changes, even on disk',
      text: 'Session 2 inserts a row and changes row 1 inside a transaction it does not commit. Session 1\'s CHECKPOINT then writes every dirty page, the uncommitted versions included, to the data files.',
      sql: [
        { session: 2, sql: "BEGIN;\nINSERT INTO crash_demo VALUES (3, 'never committed');\nUPDATE crash_demo SET note = 'changed, never committed' WHERE id = 1;\nSELECT * FROM crash_demo ORDER BY id;" },
        { session: 1, sql: 'CHECKPOINT;' },
      ],
      look: 'The WAL stream shows session 2\'s Heap records with no COMMIT for its XID, then the checkpoint\'s record.',
      show: { view: 'wal' },
    },
    {
      title: 'Crash the tab\'s workers',
      text: 'The button ends every backend worker at once, as kill -9 would. The postmaster treats that as a crash: it throws away shared memory, starts new workers, and the first one replays the WAL from the last checkpoint before anyone gets in.',
      sql: [],
      look: 'The result line says how many workers were killed, the restart count and that startup ran crash recovery. Both sessions lost their backends; their next Run takes new ones.',
      action: 'crash',
    },
    {
      title: 'Committed rows are back, uncommitted are gone',
      text: 'Recovery replayed the inserts, the update and the commit record. Session 2\'s transaction has no commit record, so it counts as aborted: its row 3 and its new version of row 1 are on the page but no snapshot sees them.',
      sql: [{ session: 1, sql: "SELECT ctid, * FROM crash_demo ORDER BY id;\nSELECT lp, t_xmin, t_xmax, t_ctid\n  FROM heap_page_items(get_raw_page('crash_demo', 0));" }],
      look: 'Rows 1 and 2 with their committed notes; no row 3. The page inspector still shows the dead versions (row 1\'s old version has the aborted XID as xmax).',
      show: { view: 'page', relation: 'crash_demo', block: 0 },
    },
  ],
};

export const LESSONS: Lesson[] = [mvcc, locking, indexPlan, crash];
