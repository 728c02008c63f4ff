/*
 * spec.ts — the isolation test spec language (PostgreSQL's
 * src/test/isolation/specscanner.l and specparse.y, rebuilt): a spec file
 * names global setup and teardown blocks, sessions with their own
 * setup/teardown and steps, and optionally the permutations to run.
 *
 *   setup { CREATE TABLE t (...) }          # run by the control connection, may repeat
 *   teardown { DROP TABLE t }
 *   session s1                              # name: identifier or "quoted string"
 *   setup { BEGIN ISOLATION LEVEL ... }     # optional, on the session's connection
 *   step s1a { SELECT ... }                 # step names are unique across sessions
 *   teardown { ... }                        # optional
 *   permutation s1a s2a(s1a) s1c(*)         # blockers: (*), (step), (step notices N)
 *
 * The scanner follows PostgreSQL 15 byte for byte where it matters for the
 * output: an SQL block runs from `{` to the first `}` (no nesting: a `}`
 * inside a string ends the block too), with spaces and tabs (not newlines)
 * trimmed after `{` and before `}`; `#` starts a comment outside blocks.
 *
 * Exports: parseSpec, allPermutations, the TestSpec types.
 */

/** A step's blocker condition (PermutationStepBlocker). */
export type Blocker =
  /** `(*)`: report the step as waiting once, whatever happens. */
  | { kind: 'once' }
  /** `(other)`: not complete while step `other` is still running. */
  | { kind: 'step'; step: string }
  /** `(other notices N)`: not complete before `other`'s session sent N more notices. */
  | { kind: 'notices'; step: string; count: number };

export interface Step {
  name: string;
  sql: string;
  /** Index of the session the step belongs to. */
  session: number;
}

export interface SpecSession {
  name: string;
  setup: string | null;
  teardown: string | null;
  steps: Step[];
}

export interface PermutationStep {
  name: string;
  blockers: Blocker[];
}

export interface TestSpec {
  setup: string[];
  teardown: string | null;
  sessions: SpecSession[];
  /** Named permutations, or null: every interleaving of the sessions' steps. */
  permutations: PermutationStep[][] | null;
}

export class SpecSyntaxError extends Error {}

type Token =
  | { t: 'kw'; v: 'permutation' | 'session' | 'setup' | 'step' | 'teardown' | 'notices'; line: number }
  | { t: 'id'; v: string; line: number }
  | { t: 'int'; v: number; line: number }
  | { t: 'sql'; v: string; line: number }
  | { t: 'punct'; v: '(' | ')' | '*' | ','; line: number };

const KEYWORDS = new Set(['permutation', 'session', 'setup', 'step', 'teardown', 'notices']);
const SPACE = /[ \t\r\f]/;

function scan(src: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (SPACE.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if (c === '"') {
      const end = src.indexOf('"', i + 1);
      const nl = src.indexOf('\n', i + 1);
      if (end < 0) throw new SpecSyntaxError(`unterminated quoted string at line ${line}`);
      if (nl >= 0 && nl < end) throw new SpecSyntaxError(`unexpected newline in quoted string at line ${line}`);
      out.push({ t: 'id', v: src.slice(i + 1, end), line });
      i = end + 1;
    } else if (c === '{') {
      const startLine = line;
      i++;
      while (i < src.length && SPACE.test(src[i])) i++;
      const end = src.indexOf('}', i);
      if (end < 0) throw new SpecSyntaxError(`unterminated sql block at line ${startLine}`);
      let body = src.slice(i, end);
      let k = body.length;
      while (k > 0 && SPACE.test(body[k - 1])) k--;
      body = body.slice(0, k);
      for (const ch of body) if (ch === '\n') line++;
      out.push({ t: 'sql', v: body, line: startLine });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      const word = src.slice(i, j);
      if (KEYWORDS.has(word)) out.push({ t: 'kw', v: word as 'setup', line });
      else out.push({ t: 'id', v: word, line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9]/.test(src[j])) j++;
      out.push({ t: 'int', v: Number(src.slice(i, j)), line });
      i = j;
    } else if (c === '(' || c === ')' || c === '*' || c === ',') {
      out.push({ t: 'punct', v: c, line });
      i++;
    } else {
      throw new SpecSyntaxError(`syntax error at line ${line}: unexpected character "${c}"`);
    }
  }
  return out;
}

/** Parses a spec file and checks it as isolationtester's check_testspec does. */
export function parseSpec(src: string): TestSpec {
  const toks = scan(src);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const isKw = (kw: string): boolean => {
    const t = toks[p];
    return t !== undefined && t.t === 'kw' && t.v === kw;
  };
  const fail = (what: string): never => {
    const t = toks[p];
    throw new SpecSyntaxError(t === undefined ? `syntax error at end of input: expected ${what}` : `syntax error at line ${t.line}: expected ${what}`);
  };
  const sqlBlock = (): string => {
    const t = toks[p];
    if (t === undefined || t.t !== 'sql') return fail('an SQL block { ... }');
    p++;
    return t.v;
  };
  const identifier = (): string => {
    const t = toks[p];
    if (t === undefined || t.t !== 'id') return fail('a name');
    p++;
    return t.v;
  };

  const spec: TestSpec = { setup: [], teardown: null, sessions: [], permutations: null };
  while (isKw('setup')) {
    p++;
    spec.setup.push(sqlBlock());
  }
  if (isKw('teardown')) {
    p++;
    spec.teardown = sqlBlock();
  }
  while (isKw('session')) {
    p++;
    const s: SpecSession = { name: identifier(), setup: null, teardown: null, steps: [] };
    if (isKw('setup')) {
      p++;
      s.setup = sqlBlock();
    }
    while (isKw('step')) {
      p++;
      const name = identifier();
      s.steps.push({ name, sql: sqlBlock(), session: spec.sessions.length });
    }
    if (s.steps.length === 0) fail('a step');
    if (isKw('teardown')) {
      p++;
      s.teardown = sqlBlock();
    }
    spec.sessions.push(s);
  }
  if (spec.sessions.length === 0) fail('a session');
  while (isKw('permutation')) {
    p++;
    const perm: PermutationStep[] = [];
    while (peek()?.t === 'id') {
      const ps: PermutationStep = { name: identifier(), blockers: [] };
      const open = peek();
      if (open !== undefined && open.t === 'punct' && open.v === '(') {
        p++;
        for (;;) {
          const t = peek();
          if (t !== undefined && t.t === 'punct' && t.v === '*') {
            p++;
            ps.blockers.push({ kind: 'once' });
          } else {
            const other = identifier();
            if (isKw('notices')) {
              p++;
              const n = peek();
              if (n === undefined || n.t !== 'int') return fail('a number of notices');
              p++;
              ps.blockers.push({ kind: 'notices', step: other, count: n.v });
            } else {
              ps.blockers.push({ kind: 'step', step: other });
            }
          }
          const sep = peek();
          if (sep !== undefined && sep.t === 'punct' && sep.v === ',') {
            p++;
            continue;
          }
          if (sep !== undefined && sep.t === 'punct' && sep.v === ')') {
            p++;
            break;
          }
          fail('"," or ")"');
        }
      }
      perm.push(ps);
    }
    if (perm.length === 0) fail('a step name');
    (spec.permutations ??= []).push(perm);
  }
  if (p < toks.length) fail('setup, teardown, session or permutation');
  checkSpec(spec);
  return spec;
}

function checkSpec(spec: TestSpec): void {
  const byName = new Map<string, Step>();
  for (const s of spec.sessions) {
    for (const st of s.steps) {
      if (byName.has(st.name)) throw new SpecSyntaxError(`duplicate step name: ${st.name}`);
      byName.set(st.name, st);
    }
  }
  for (const perm of spec.permutations ?? []) {
    for (const ps of perm) {
      const step = byName.get(ps.name);
      if (step === undefined) throw new SpecSyntaxError(`undefined step "${ps.name}" specified in permutation`);
      for (const b of ps.blockers) {
        if (b.kind === 'once') continue;
        const other = perm.find((o) => o.name === b.step);
        if (other === undefined) throw new SpecSyntaxError(`undefined blocking step "${b.step}" referenced in permutation step "${ps.name}"`);
        if (byName.get(other.name)?.session === step.session) {
          throw new SpecSyntaxError(`permutation step "${ps.name}" cannot block on its own session`);
        }
      }
    }
  }
}

/** Every interleaving of the sessions' steps, in isolationtester's order (run_all_permutations_recurse). */
export function allPermutations(spec: TestSpec): PermutationStep[][] {
  const out: PermutationStep[][] = [];
  const piles = spec.sessions.map(() => 0);
  const cur: PermutationStep[] = [];
  const recurse = (): void => {
    let found = false;
    for (let i = 0; i < spec.sessions.length; i++) {
      if (piles[i] < spec.sessions[i].steps.length) {
        cur.push({ name: spec.sessions[i].steps[piles[i]].name, blockers: [] });
        piles[i]++;
        recurse();
        piles[i]--;
        cur.pop();
        found = true;
      }
    }
    if (!found) out.push(cur.slice());
  };
  recurse();
  return out;
}

/** The step of each name. */
export function stepsByName(spec: TestSpec): Map<string, Step> {
  const m = new Map<string, Step>();
  for (const s of spec.sessions) for (const st of s.steps) m.set(st.name, st);
  return m;
}
