import { describe, expect, it } from 'vitest';
import { Guc, formatG, parseBool } from './guc.ts';
import { parseOne } from '../../parser/gram.ts';
import type { VariableSetStmt } from '../../parser/nodes.ts';
import { getSessionTimeZone, setSessionTimeZone } from '../adt/timezone.ts';

function setSql(g: Guc, sql: string, inBlock = false): string | null {
  return g.executeSetStmt(parseOne(sql) as VariableSetStmt, inBlock);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const err = e as { code: string; message: string; hint?: string };
    return `${err.code} ${err.message}${err.hint !== undefined ? ' | ' + err.hint : ''}`;
  }
  return 'no error';
}

describe('guc: SHOW formatting', () => {
  it('shows defaults as PostgreSQL does', () => {
    const g = new Guc();
    expect(g.show('work_mem').value).toBe('4MB');
    expect(g.show('statement_timeout').value).toBe('0');
    expect(g.show('search_path').value).toBe('"$user", public');
    expect(g.show('timezone')).toEqual({ column: 'TimeZone', value: 'UTC' });
    expect(g.show('datestyle')).toEqual({ column: 'DateStyle', value: 'ISO, MDY' });
    expect(g.show('effective_cache_size').value).toBe('4GB');
    expect(g.show('shared_buffers').value).toBe('128MB');
    expect(g.show('random_page_cost').value).toBe('4');
    expect(g.show('cpu_operator_cost').value).toBe('0.0025');
    expect(g.show('server_version').value).toBe('18.6');
    expect(g.show('transaction_isolation').value).toBe('read committed');
    expect(g.setting('work_mem')).toBe('4096');
  });

  it('picks the largest exact unit', () => {
    const g = new Guc();
    g.set('work_mem', '1024kB');
    expect(g.show('work_mem').value).toBe('1MB');
    g.set('work_mem', '1000kB');
    expect(g.show('work_mem').value).toBe('1000kB');
    g.set('statement_timeout', '60000');
    expect(g.show('statement_timeout').value).toBe('1min');
    g.set('statement_timeout', '1.5s');
    expect(g.show('statement_timeout').value).toBe('1500ms');
    g.set('effective_cache_size', '1000');
    expect(g.show('effective_cache_size').value).toBe('8000kB');
    g.set('cpu_tuple_cost', '1e-10');
    expect(g.show('cpu_tuple_cost').value).toBe('1e-10');
  });

  it('formats reals as %g', () => {
    expect(formatG(1.79769e308)).toBe('1.79769e+308');
    expect(formatG(0.005)).toBe('0.005');
    expect(formatG(4)).toBe('4');
    expect(formatG(1.1)).toBe('1.1');
    expect(formatG(1234567)).toBe('1.23457e+06');
  });

  it('parses booleans like parse_bool', () => {
    expect(parseBool('on')).toBe(true);
    expect(parseBool('of')).toBe(false);
    expect(parseBool('o')).toBe(null);
    expect(parseBool('Y')).toBe(true);
    expect(parseBool('2')).toBe(null);
  });
});

describe('guc: errors as PostgreSQL words them', () => {
  const g = new Guc();
  it.each([
    ["SET work_mem = 'abc'", '22023 invalid value for parameter "work_mem": "abc"'],
    ['SET work_mem = 10', '22023 10 kB is outside the valid range for parameter "work_mem" (64 kB .. 2097151 kB)'],
    ["SET work_mem = '1xB'", '22023 invalid value for parameter "work_mem": "1xB" | Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".'],
    ["SET work_mem = '3000000MB'", '22023 invalid value for parameter "work_mem": "3000000MB" | Value exceeds integer range.'],
    ['SET work_mem = 1.5', '22023 2 kB is outside the valid range for parameter "work_mem" (64 kB .. 2097151 kB)'],
    ["SET enable_seqscan = 'maybe'", '22023 parameter "enable_seqscan" requires a Boolean value'],
    ["SET client_min_messages = 'foo'", '22023 invalid value for parameter "client_min_messages": "foo" | Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.'],
    ['SET random_page_cost = -1', '22023 -1 is outside the valid range for parameter "random_page_cost" (0 .. 1.79769e+308)'],
    ["SET server_version = '1'", '55P02 parameter "server_version" cannot be changed'],
    ["SET shared_buffers = '1MB'", '55P02 parameter "shared_buffers" cannot be changed without restarting the server'],
    ['SET nosuch = 1', '42704 unrecognized configuration parameter "nosuch"'],
    ['SET work_mem = 1, 2', '22023 SET work_mem takes only one argument'],
    ["SET statement_timeout = '-1'", '22023 -1 ms is outside the valid range for parameter "statement_timeout" (0 ms .. 2147483647 ms)'],
    ["SET timezone = 'nowhere'", '22023 invalid value for parameter "TimeZone": "nowhere"'],
    ['SET extra_float_digits = 5', '22023 5 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)'],
  ])('%s', (sql, expected) => {
    expect(errorOf(() => setSql(g, sql))).toBe(expected);
  });

  it('SHOW of an unknown name is 42704', () => {
    expect(errorOf(() => g.show('nosuch'))).toBe('42704 unrecognized configuration parameter "nosuch"');
  });
});

describe('guc: SET forms', () => {
  it('quotes list items of search_path', () => {
    const g = new Guc();
    setSql(g, `SET search_path = 'a b', public, "$user"`);
    expect(g.show('search_path').value).toBe('"a b", public, "$user"');
    setSql(g, 'SET search_path TO DEFAULT');
    expect(g.show('search_path').value).toBe('"$user", public');
  });

  it('canonicalizes enums, time zones and custom placeholders', () => {
    const g = new Guc();
    setSql(g, 'SET client_min_messages = WARNING');
    expect(g.show('client_min_messages').value).toBe('warning');
    setSql(g, "SET TimeZone = 'america/new_york'");
    expect(g.show('TimeZone').value).toBe('America/New_York');
    expect(getSessionTimeZone().name).toBe('America/New_York');
    setSql(g, 'SET TIME ZONE -5');
    expect(g.show('timezone').value).toBe('<-05>+05');
    setSql(g, 'SET myapp.flag = 1');
    expect(g.show('myapp.flag')).toEqual({ column: 'myapp.flag', value: '1' });
    setSessionTimeZone('UTC');
  });

  it('warns about SET LOCAL outside a block', () => {
    const g = new Guc();
    expect(setSql(g, "SET LOCAL work_mem = '8MB'", false)).toBe('SET LOCAL can only be used in transaction blocks');
  });
});

describe('guc: transactional SET', () => {
  it('SET survives commit, SET LOCAL does not', () => {
    const g = new Guc();
    g.atStartTransaction();
    g.set('work_mem', '8MB');
    g.set('enable_seqscan', 'off', { isLocal: true });
    expect(g.show('enable_seqscan').value).toBe('off');
    g.atCommit();
    expect(g.show('work_mem').value).toBe('8MB');
    expect(g.show('enable_seqscan').value).toBe('on');
  });

  it('abort undoes SET', () => {
    const g = new Guc();
    g.atStartTransaction();
    g.set('work_mem', '8MB');
    g.atAbort();
    expect(g.show('work_mem').value).toBe('4MB');
  });

  it('ROLLBACK TO undoes the savepoint; RELEASE keeps its SETs', () => {
    const g = new Guc();
    g.atStartTransaction();
    g.set('work_mem', '8MB');
    g.atStartSubtransaction();
    g.set('work_mem', '16MB');
    g.atSubAbort(true);
    expect(g.show('work_mem').value).toBe('8MB');
    g.set('work_mem', '32MB');
    g.atSubCommit();
    g.atCommit();
    expect(g.show('work_mem').value).toBe('32MB');
  });

  it('RESET ALL restores the defaults', () => {
    const g = new Guc();
    g.set('work_mem', '8MB');
    g.set('enable_hashjoin', 'off');
    g.resetAll();
    expect(g.show('work_mem').value).toBe('4MB');
    expect(g.show('enable_hashjoin').value).toBe('on');
  });

  it('lists pg_settings rows sorted by name', () => {
    const rows = new Guc().pgSettingsRows();
    const wm = rows.find((r) => r.name === 'work_mem');
    expect(wm).toMatchObject({ setting: '4096', unit: 'kB', vartype: 'integer', min_val: '64', max_val: '2097151', boot_val: '4096' });
    const names = rows.map((r) => r.name.toLowerCase());
    expect([...names].sort()).toEqual(names);
  });
});
