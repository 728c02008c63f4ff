/*
 * runner.test.ts — runner.ts over a scripted in-memory engine, so its
 * rules are checked without any database: steps that wait for a lock are
 * reported waiting and completed in order, (*) and (step) blockers, a
 * session whose next step must wait for its previous one, cancel after
 * max step wait, notices and errors. The expected texts follow
 * isolationtester's output (isolation_pg.test.ts compares the two on
 * PostgreSQL itself).
 *
 * The fake engine's "SQL" is `;`-separated commands:
 *   lock K      take exclusive lock K, waiting (FIFO) while another holds it
 *   commit      release every lock the connection holds
 *   select V    a one-column result set (column x) with value V
 *   notice M    send NOTICE M
 *   fail M      ERROR M (the rest of the string is skipped)
 *   sleep       wait until cancelled
 */

import { describe, expect, it } from 'vitest';
import type { DriverConnection, IsolationDriver, StepMessage, StepOutcome, TextResult } from './driver.ts';
import { runSpec } from './runner.ts';
import { parseSpec } from './spec.ts';

class FakeEngine implements IsolationDriver {
  readonly name = 'fake';
  private nextPid = 100;
  private readonly holders = new Map<string, number>();
  private readonly waiters: { pid: number; key: string; grant: () => void }[] = [];
  private readonly cancels = new Map<number, () => void>();

  async connect(): Promise<DriverConnection> {
    const pid = this.nextPid++;
    return { pid, run: (sql) => this.run(pid, sql), close: async () => this.releaseAll(pid) };
  }

  private releaseAll(pid: number): void {
    for (const [k, h] of [...this.holders]) if (h === pid) this.holders.delete(k);
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i];
      if (!this.holders.has(w.key)) {
        this.holders.set(w.key, w.pid);
        this.waiters.splice(i, 1);
        w.grant();
      } else i++;
    }
  }

  /** Sleeps until granted, or rejects when cancelled. */
  private wait(pid: number, register: (grant: () => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      register(() => {
        this.cancels.delete(pid);
        setTimeout(resolve, 1);
      });
      this.cancels.set(pid, () => {
        const i = this.waiters.findIndex((w) => w.pid === pid);
        if (i >= 0) this.waiters.splice(i, 1);
        this.cancels.delete(pid);
        reject(new Error('canceling statement due to user request'));
      });
    });
  }

  private async run(pid: number, sql: string): Promise<StepOutcome> {
    const results: TextResult[] = [];
    const notices: StepMessage[] = [];
    let last: TextResult | null = null;
    await new Promise((r) => setTimeout(r, 1));
    try {
      for (const cmd of sql.split(';').map((c) => c.trim()).filter((c) => c !== '')) {
        const [verb, arg = ''] = cmd.split(/\s+(.*)/s);
        last = null;
        if (verb === 'lock') {
          const h = this.holders.get(arg);
          if (h === undefined || h === pid) this.holders.set(arg, pid);
          else await this.wait(pid, (grant) => this.waiters.push({ pid, key: arg, grant }));
        } else if (verb === 'commit') this.releaseAll(pid);
        else if (verb === 'select') results.push((last = { fields: ['x'], rows: [[arg]] }));
        else if (verb === 'notice') notices.push({ severity: 'NOTICE', message: arg });
        else if (verb === 'fail') throw new Error(arg);
        else if (verb === 'sleep') await this.wait(pid, () => undefined);
        else throw new Error(`unknown command ${verb}`);
      }
      return { results, last, error: null, notices };
    } catch (e) {
      return { results, last: null, error: { severity: 'ERROR', message: (e as Error).message }, notices };
    }
  }

  async isBlocked(_control: DriverConnection, pid: number, sessionPids: number[]): Promise<boolean> {
    const w = this.waiters.find((x) => x.pid === pid);
    return w !== undefined && sessionPids.includes(this.holders.get(w.key) ?? -1);
  }

  async cancel(_control: DriverConnection, pid: number): Promise<void> {
    this.cancels.get(pid)?.();
  }

  async close(): Promise<void> {}
}

const run = (src: string, maxStepWaitMs = 5000): Promise<string> => runSpec(new FakeEngine(), parseSpec(src), { maxStepWaitMs });

const TWO = `
  setup { select 1 }
  session s1
  step a { lock k }
  step c { commit }
  session s2
  step b { lock k; select 2 }
  step d { commit }
`;

describe('runSpec', () => {
  it('reports a blocked step waiting, then completed when the holder commits', async () => {
    expect(await run(TWO + 'permutation a b c d')).toBe(
      [
        'Parsed test spec with 2 sessions',
        '',
        'starting permutation: a b c d',
        'x',
        '-',
        '1',
        '(1 row)',
        '',
        'step a: lock k',
        'step b: lock k; select 2 <waiting ...>',
        'step c: commit',
        'step b: <... completed>',
        'x',
        '-',
        '2',
        '(1 row)',
        '',
        'step d: commit',
        '',
      ].join('\n'),
    );
  });

  it('runs every interleaving when no permutation is given', async () => {
    const out = await run(TWO, 200);
    expect(out.match(/^starting permutation: .*$/gm)).toEqual([
      'starting permutation: a c b d',
      'starting permutation: a b c d',
      'starting permutation: a b d c',
      'starting permutation: b a c d',
      'starting permutation: b a d c',
      'starting permutation: b d a c',
    ]);
  });

  it('cancels a step its own session must get past but nobody can release, as isolationtester does', async () => {
    // a b d c: d is s2's, whose b waits for s1's c, which comes later.
    const out = await run(TWO + 'permutation a b d c', 200);
    expect(out).toContain(
      'step b: lock k; select 2 <waiting ...>\nisolationtester: canceling step b after 0 seconds\nstep b: <... completed>\nERROR:  canceling statement due to user request\nstep d: commit\nstep c: commit\n',
    );
  });

  it('completes waiters in the order they began waiting', async () => {
    const out = await run(`
      session s1
      step h { lock k }
      step r { commit }
      session s2
      step w2 { lock k; commit; select 2 }
      session s3
      step w3 { lock k; commit; select 3 }
      permutation h w2 w3 r
    `);
    expect(out).toContain('step w2: lock k; commit; select 2 <waiting ...>\nstep w3: lock k; commit; select 3 <waiting ...>\nstep r: commit\nstep w2: <... completed>\nx\n-\n2\n(1 row)\n\nstep w3: <... completed>\nx\n-\n3\n(1 row)\n\n');
  });

  it('honours (*) and (step) blockers', async () => {
    const once = await run(TWO + 'permutation a(*) c b d');
    expect(once).toContain('step a: lock k <waiting ...>\nstep a: <... completed>\nstep c: commit\nstep b: lock k; select 2\n');
    // x finishes at once but is held back while w2 (which waits for h's lock) is still running.
    const held = await run(`
      session s1
      step h { lock k }
      step r { commit }
      session s2
      step w2 { lock k; commit }
      session s3
      step x { select 3 }
      permutation h w2 x(w2) r
    `);
    expect(held).toContain('step w2: lock k; commit <waiting ...>\nstep x: select 3 <waiting ...>\nstep r: commit\nstep w2: <... completed>\nstep x: <... completed>\nx\n-\n3\n(1 row)\n\n');
  });

  it('prints notices before the step and errors after its results', async () => {
    const out = await run(`
      session s1
      step n { notice hello; select 1; fail boom; select 2 }
    `);
    expect(out).toContain('s1: NOTICE:  hello\nstep n: notice hello; select 1; fail boom; select 2\nx\n-\n1\n(1 row)\n\nERROR:  boom\n');
  });

  it('prints only the last statement of a setup or teardown block, and only if it returns rows (PQexec)', async () => {
    const out = await run(`
      setup { select 1; commit }
      setup { commit; select 2 }
      teardown { select 3; select 4 }
      session s1
      step a { commit }
    `);
    expect(out).toBe('Parsed test spec with 1 sessions\n\nstarting permutation: a\nx\n-\n2\n(1 row)\n\nstep a: commit\nx\n-\n4\n(1 row)\n\n');
  });

  it('fails the run when a setup block fails', async () => {
    await expect(run('setup { fail no table }\nsession s1\nstep a { select 1 }')).rejects.toThrow('setup failed: ERROR:  no table');
  });
});
