/*
 * runner.ts — runs an isolation spec on a driver and returns the text
 * isolationtester would print (PostgreSQL's src/test/isolation/
 * isolationtester.c, rebuilt over promises instead of select()).
 *
 * Connections: one control connection (setup, teardown, the "is it
 * blocked?" question, cancels) and one per session, all opened once for the
 * spec and reused by every permutation.
 *
 * One permutation:
 *
 *   "starting permutation: a b c"
 *   global setup blocks (control), session setup blocks (each session)
 *   for each step:
 *     its session still runs an earlier step -> wait for that one, polling
 *       the other waiting steps meanwhile (they may be what it waits for)
 *     send the step; tryCompleteStep(NONBLOCK):
 *       done ..........................> "step a: SQL" + results / ERROR
 *       blocked on another session .....> "step a: SQL <waiting ...>"
 *     poll every waiting step (NONBLOCK|RETRY): done -> "step b: <... completed>"
 *   wait for the remaining steps; session teardowns; global teardown
 *
 * Rules (why the output is deterministic):
 *   1. A step is reported waiting only when the engine says it waits for a
 *      lock held by another test session (driver.isBlocked), never because
 *      it is slow: the runner polls every 10 ms until the step either ends
 *      or is seen blocked, however long that takes.
 *   2. A step that was seen blocked but answered before the runner printed
 *      "<waiting ...>" is reported as completed (PQisBusy re-check).
 *   3. Waiting steps are polled in the order they started waiting, after
 *      each new step, so completions print in a fixed order.
 *   4. Blocker annotations (permutation s1a(s2b), s1a(*)) hold a completed
 *      step back until the named step is done, for when the engine cannot
 *      tell a wait apart (isolationtester's PSB_* rules).
 *   5. A step still running after maxStepWaitMs is cancelled
 *      ("isolationtester: canceling step ..."); after twice that the run
 *      fails.
 *
 * Exports: runSpec, RunOptions.
 */

import type { DriverConnection, IsolationDriver, StepOutcome } from './driver.ts';
import { printResultSet } from './pqprint.ts';
import { allPermutations, stepsByName, type PermutationStep, type Step, type TestSpec } from './spec.ts';

export interface RunOptions {
  /** isolationtester's max_step_wait (360 s there); 60 s by default here. */
  maxStepWaitMs?: number;
  /** Called with each piece of output as it is produced (the CLI streams it, so a hang shows where). */
  onOutput?: (text: string) => void;
  /** What isolationtester writes to stderr: a failed teardown (which does not stop the run). */
  onStderr?: (text: string) => void;
}

const STEP_NONBLOCK = 1;
const STEP_RETRY = 2;
const POLL_MS = 10;

interface Active {
  pstep: PermutationStep;
  step: Step;
  promise: Promise<StepOutcome>;
  outcome: StepOutcome | null;
  failure: unknown;
  done: boolean;
}

interface Conn {
  name: string;
  conn: DriverConnection;
  active: Active | null;
  /** NOTICEs received on this connection (for `(step notices N)` blockers). */
  totalNotices: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs every permutation of `spec` and returns isolationtester's output. */
export async function runSpec(driver: IsolationDriver, spec: TestSpec, options: RunOptions = {}): Promise<string> {
  const maxStepWait = options.maxStepWaitMs ?? 60_000;
  let out = '';
  const print = (s: string): void => {
    out += s;
    options.onOutput?.(s);
  };
  print(`Parsed test spec with ${spec.sessions.length} sessions\n`);
  const byName = stepsByName(spec);
  const control = await driver.connect();
  const conns: Conn[] = [];
  try {
    for (const s of spec.sessions) conns.push({ name: s.name, conn: await driver.connect(), active: null, totalNotices: 0 });
    const perms = spec.permutations ?? allPermutations(spec);
    for (const perm of perms) await runPermutation(perm);
  } finally {
    for (const c of conns) await c.conn.close().catch(() => undefined);
    await control.close().catch(() => undefined);
  }
  return out;

  /**
   * isolationtester waits for setup, teardown and its lock wait query
   * forever; bounding them by twice max step wait (rule 3) keeps a broken
   * engine from hanging the test run.
   */
  function bounded<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${(2 * maxStepWait) / 1000} seconds`)), 2 * maxStepWait);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** PQexec: only the last result is printed; an error fails the run (a teardown's is ignored, as isolationtester only logs it). */
  async function execBlock(conn: DriverConnection, sql: string, what: string, fatal: boolean): Promise<void> {
    const o = await bounded(conn.run(sql), what);
    if (o.error !== null) {
      if (fatal) throw new Error(`${what} failed: ${o.error.severity}:  ${o.error.message}`);
      options.onStderr?.(`${what} failed: ${o.error.severity}:  ${o.error.message}\n`);
      return;
    }
    if (o.last !== null) print(printResultSet(o.last));
  }

  async function runPermutation(perm: PermutationStep[]): Promise<void> {
    // Targets for `notices` blockers, keyed by the blocker object.
    const noticeTargets = new Map<object, number>();
    print(`\nstarting permutation:${perm.map((p) => ' ' + p.name).join('')}\n`);
    for (const sql of spec.setup) await execBlock(control, sql, 'setup', true);
    for (let i = 0; i < spec.sessions.length; i++) {
      const s = spec.sessions[i];
      if (s.setup !== null) await execBlock(conns[i].conn, s.setup, `setup of session ${s.name}`, true);
    }

    let waiting: Active[] = [];
    const hasBlocker = (a: Active): boolean => {
      for (const b of a.pstep.blockers) {
        if (b.kind === 'once') continue;
        const other = byName.get(b.step);
        if (other === undefined) continue;
        const oc = conns[other.session];
        if (b.kind === 'step' && oc.active !== null && oc.active.step === other) return true;
        if (b.kind === 'notices' && oc.totalNotices < (noticeTargets.get(b) ?? 0)) return true;
      }
      return false;
    };

    /** try_complete_step: true if the step has not completed (blocked, or held back by a blocker). */
    const tryCompleteStep = async (a: Active, flags: number): Promise<boolean> => {
      const c = conns[a.step.session];
      if ((flags & STEP_RETRY) === 0 && a.pstep.blockers.some((b) => b.kind === 'once')) {
        print(`step ${a.step.name}: ${a.step.sql} <waiting ...>\n`);
        return true;
      }
      const start = Date.now();
      let canceled = false;
      while (!a.done) {
        await Promise.race([a.promise.catch(() => undefined), sleep(POLL_MS)]);
        if (a.done) break;
        if ((flags & STEP_NONBLOCK) !== 0) {
          const blocked = await bounded(driver.isBlocked(control, c.conn.pid, sessionPidsOf()), 'the lock wait query');
          if (blocked) {
            if (a.done) break; // rule 2
            if ((flags & STEP_RETRY) === 0) print(`step ${a.step.name}: ${a.step.sql} <waiting ...>\n`);
            return true;
          }
        }
        const td = Date.now() - start;
        if (td > maxStepWait && !canceled) {
          await driver.cancel(control, c.conn.pid);
          print(`isolationtester: canceling step ${a.step.name} after ${Math.floor(td / 1000)} seconds\n`);
          canceled = true;
        }
        if (td > 2 * maxStepWait) throw new Error(`step ${a.step.name} timed out after ${Math.floor(td / 1000)} seconds`);
      }
      if (hasBlocker(a)) {
        if ((flags & STEP_RETRY) === 0) print(`step ${a.step.name}: ${a.step.sql} <waiting ...>\n`);
        return true;
      }
      if (a.failure !== null) throw a.failure;
      const o = a.outcome as StepOutcome;
      // Notices first: libpq's notice processor prints them as they arrive, before the results are read.
      for (const n of o.notices) print(`${c.name}: ${n.severity}:  ${n.message}\n`);
      c.totalNotices += o.notices.length;
      if ((flags & STEP_RETRY) !== 0) print(`step ${a.step.name}: <... completed>\n`);
      else print(`step ${a.step.name}: ${a.step.sql}\n`);
      for (const r of o.results) print(printResultSet(r));
      if (o.error !== null) print(`${o.error.severity}:  ${o.error.message}\n`);
      c.active = null;
      return false;
    };

    /** try_complete_steps: polls the waiting steps, repeating while blockers may have been released. */
    const tryCompleteSteps = async (flags: number): Promise<void> => {
      for (;;) {
        const before = waiting.length;
        const noticesBefore = conns.reduce((n, c) => n + c.totalNotices, 0);
        let haveBlocker = false;
        const still: Active[] = [];
        for (const a of waiting) {
          if (await tryCompleteStep(a, flags)) {
            if (a.pstep.blockers.length > 0) haveBlocker = true;
            still.push(a);
          }
        }
        waiting = still;
        const newNotice = conns.reduce((n, c) => n + c.totalNotices, 0) !== noticesBefore;
        if (!(haveBlocker && (waiting.length < before || newNotice))) return;
      }
    };

    for (const pstep of perm) {
      const step = byName.get(pstep.name) as Step;
      const c = conns[step.session];
      if (c.active !== null) {
        const start = Date.now();
        while (c.active !== null) {
          const old = c.active;
          if (!(await tryCompleteStep(old, STEP_RETRY))) waiting = waiting.filter((w) => w !== old);
          await tryCompleteSteps(STEP_NONBLOCK | STEP_RETRY);
          if (c.active !== null && Date.now() - start > 2 * maxStepWait) {
            throw new Error(`step ${c.active.step.name} timed out after ${Math.floor((Date.now() - start) / 1000)} seconds`);
          }
        }
      }
      const a: Active = { pstep, step, promise: c.conn.run(step.sql), outcome: null, failure: null, done: false };
      a.promise.then(
        (o) => {
          a.outcome = o;
          a.done = true;
        },
        (e: unknown) => {
          a.failure = e ?? new Error('connection failed');
          a.done = true;
        },
      );
      c.active = a;
      for (const b of pstep.blockers) {
        if (b.kind === 'notices') {
          const other = byName.get(b.step) as Step;
          noticeTargets.set(b, b.count + conns[other.session].totalNotices);
        }
      }
      const mustWait = await tryCompleteStep(a, STEP_NONBLOCK);
      await tryCompleteSteps(STEP_NONBLOCK | STEP_RETRY);
      if (mustWait) waiting.push(a);
    }
    await tryCompleteSteps(STEP_RETRY);
    if (waiting.length !== 0) throw new Error('failed to complete permutation due to mutually-blocking steps');

    for (let i = 0; i < spec.sessions.length; i++) {
      const s = spec.sessions[i];
      if (s.teardown !== null) await execBlock(conns[i].conn, s.teardown, `teardown of session ${s.name}`, false);
    }
    if (spec.teardown !== null) await execBlock(control, spec.teardown, 'teardown', false);
  }

  function sessionPidsOf(): number[] {
    return conns.map((c) => c.conn.pid);
  }
}
