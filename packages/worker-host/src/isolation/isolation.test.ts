/*
 * isolation.test.ts — every isolation spec (specs/*.spec) runs on tabgres
 * (a postmaster with one backend per session plus the control
 * connection) and must print exactly what PostgreSQL 15 printed
 * (expected/*.out, checked against PostgreSQL by isolation_pg.test.ts).
 *
 * KNOWN_FAILING lists the specs whose tabgres output differs today, each
 * with the reason. They run as `it.fails`: when the feature lands and the
 * spec passes, the test turns red, and the entry must be removed.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TabgresDriver, valueToText } from './driver_tabgres.ts';
import { runSpec } from './runner.ts';
import { parseSpec } from './spec.ts';
import { expectedPath, listSpecs, sessionsNeeded, specPath } from './specs.ts';

/** Specs whose tabgres output differs from PostgreSQL's today, and why. */
const KNOWN_FAILING: Record<string, string> = {};

const specs = listSpecs().map((name) => ({ name, spec: parseSpec(readFileSync(specPath(name), 'utf8')) }));

describe('isolation specs on tabgres', () => {
  let driver: TabgresDriver;

  beforeAll(async () => {
    driver = await TabgresDriver.start({ backends: Math.max(...specs.map((s) => sessionsNeeded(s.spec))) });
  });

  afterAll(async () => {
    // Bounded for the same reason as the restart below.
    if (driver !== undefined) await Promise.race([driver.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
  });

  it('tells blocked steps by the lock manager, not by timing', () => {
    // 'grace' would make every expected output depend on the machine's speed.
    expect(driver.blockMode).not.toBe('grace');
  });

  for (const { name, spec } of specs) {
    const reason = KNOWN_FAILING[name];
    const test = reason === undefined ? it : it.fails;
    test(`${name}${reason === undefined ? '' : ` (known failing: ${reason})`}`, async () => {
      let out: string;
      let stderr = '';
      try {
        out = await runSpec(driver, spec, { maxStepWaitMs: 10_000, onStderr: (t) => (stderr += t) });
      } catch (e) {
        if (e instanceof Error && stderr !== '') e.message += `\n(stderr: ${stderr})`;
        // A run that died may leave sessions, locks and tables behind: the next spec gets a fresh
        // instance. The old one's close is not awaited past 10 s: a backend stuck where no
        // interrupt reaches it would hold it forever.
        const old = driver;
        await Promise.race([old.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
        driver = await TabgresDriver.start({ backends: Math.max(...specs.map((s) => sessionsNeeded(s.spec))) });
        throw e;
      }
      expect(out, stderr).toBe(readFileSync(expectedPath(name), 'utf8'));
    });
  }

  it('KNOWN_FAILING names only specs that exist', () => {
    for (const name of Object.keys(KNOWN_FAILING)) expect(specs.map((s) => s.name)).toContain(name);
  });
});

describe('valueToText (tabgres values printed as libpq prints them)', () => {
  it('uses the output function for Datum-valued types and writes array literals', () => {
    expect(valueToText(16, true)).toBe('t');
    expect(valueToText(23, -5)).toBe('-5');
    expect(valueToText(701, 0.1)).toBe('0.1');
    expect(valueToText(25, 'x y')).toBe('x y');
    expect(valueToText(23, null)).toBe(null);
    expect(valueToText(1007, [1, 2, null])).toBe('{1,2,NULL}');
    expect(valueToText(1009, ['a b', '', 'c', 'null'])).toBe('{"a b","",c,"null"}');
  });
});
