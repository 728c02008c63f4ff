/*
 * driver.ts — what the isolation runner needs from a database engine
 * (types only): connections that run one step's SQL and answer with every
 * result set in text form, as libpq's PQsendQuery/PQgetResult loop sees
 * them, and a way to ask whether a connection waits for a lock another
 * test session holds (isolationtester's pg_isolation_test_session_is_blocked
 * query on the control connection).
 *
 * Two drivers implement it: driver_tabgres.ts (the postmaster's pinned
 * sessions) and driver_pg.ts (a throwaway PostgreSQL 15 server through the
 * npm `pg` client).
 */

/** One result set in text form (PGRES_TUPLES_OK); null is SQL NULL. */
export interface TextResult {
  fields: string[];
  rows: (string | null)[][];
}

export interface StepMessage {
  severity: string;
  message: string;
}

/** What a statement string produced: its result sets, then the error that ended it, if any. */
export interface StepOutcome {
  /** Result sets of the statements that return rows, in order (command results carry none). */
  results: TextResult[];
  /**
   * What PQexec would return for the string: the last statement's result
   * set, or null when the last statement returned no rows (setup and
   * teardown blocks print only this).
   */
  last: TextResult | null;
  error: StepMessage | null;
  /** NOTICE / WARNING messages, in the order sent. */
  notices: StepMessage[];
}

export interface DriverConnection {
  /** The backend's pid (pg_backend_pid). */
  readonly pid: number;
  /**
   * Sends one step's SQL as a simple-protocol query string and settles when
   * the backend has answered (it never rejects for an SQL error: those are
   * in the outcome; it rejects only when the connection died).
   */
  run(sql: string): Promise<StepOutcome>;
  close(): Promise<void>;
}

export interface IsolationDriver {
  /** 'pg' or 'tabgres', for messages. */
  readonly name: string;
  /** A new connection (a session, or the control connection). */
  connect(): Promise<DriverConnection>;
  /**
   * Whether `pid` waits for a lock held (or awaited ahead of it) by one of
   * `sessionPids`, asked on the control connection. Must not block.
   */
  isBlocked(control: DriverConnection, pid: number, sessionPids: number[]): Promise<boolean>;
  /** Ends the statement `pid` runs (pg_cancel_backend), for a step that never finishes. */
  cancel(control: DriverConnection, pid: number): Promise<void>;
  close(): Promise<void>;
}
