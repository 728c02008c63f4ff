/*
 * browser_vitest.ts — the part of vitest's API that opfs-storage's
 * conformance suite (conformance.ts) uses, for running it inside a browser
 * worker: describe / it / beforeEach / afterEach collect the tests, run()
 * runs them in order, expect() has toBe, toEqual and toBeInstanceOf.
 * The playground's vite.config.ts aliases `vitest` here; only the
 * conformance page imports it.
 */

type Fn = () => unknown;

interface Case {
  name: string;
  fn: Fn;
  before: Fn[];
  after: Fn[];
}

const cases: Case[] = [];
let before: Fn[] = [];
let after: Fn[] = [];
let prefix = '';

export function describe(name: string, body: () => void): void {
  const saved = { before, after, prefix };
  before = [...before];
  after = [...after];
  prefix = prefix === '' ? name : `${prefix} > ${name}`;
  try {
    body();
  } finally {
    ({ before, after, prefix } = saved);
  }
}

export function beforeEach(fn: Fn): void {
  before.push(fn);
}

export function afterEach(fn: Fn): void {
  after.push(fn);
}

export function it(name: string, fn: Fn): void {
  cases.push({ name: prefix === '' ? name : `${prefix} > ${name}`, fn, before, after });
}

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

/** Runs every collected test, in order; a failure does not stop the others. */
export async function run(): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    try {
      for (const b of c.before) await b();
      try {
        await c.fn();
      } finally {
        for (const a of c.after) await a();
      }
      results.push({ name: c.name, ok: true });
    } catch (e) {
      results.push({ name: c.name, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  return results;
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function expect(actual: unknown): {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeInstanceOf(cls: abstract new (...args: never[]) => unknown): void;
} {
  return {
    toBe(expected: unknown): void {
      if (!Object.is(actual, expected)) throw new Error(`expected ${show(actual)} to be ${show(expected)}`);
    },
    toEqual(expected: unknown): void {
      if (!deepEqual(actual, expected)) throw new Error(`expected ${show(actual)} to equal ${show(expected)}`);
    },
    toBeInstanceOf(cls: abstract new (...args: never[]) => unknown): void {
      if (!(actual instanceof cls)) throw new Error(`expected ${show(actual)} to be an instance of ${cls.name}`);
    },
  };
}
