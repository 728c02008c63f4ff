/*
 * guc.ts — the Grand Unified Configuration of one backend (PostgreSQL's
 * guc.c, guc_funcs.c): the session's settings, SET / SET LOCAL / RESET /
 * SHOW with PostgreSQL's parsing, units, errors and output, and the
 * transactional behaviour of SET.
 *
 * Exports:
 *   class Guc                  one backend's settings
 *     show(name) / showAll()   SHOW text (work_mem -> '4MB')
 *     changes                  a counter of value changes (cached readers compare it)
 *     setting(name)            pg_settings.setting form ('4096'), for the planner
 *     intValue / realValue / boolValue
 *     set(name, value, opts)   SET [LOCAL] name = value (value null: RESET)
 *     resetAll()               RESET ALL
 *     executeSetStmt(stmt)     a VariableSetStmt, flattened as PostgreSQL does
 *     atStartTransaction / atCommit / atAbort / atStartSubtransaction /
 *     atSubCommit / atSubAbort  the transaction hooks tcop calls
 *     pgSettingsRows()         the rows of the pg_settings view
 *     activate()               makes this backend's TimeZone the one utils/adt reads
 *   parseBool(text)            PostgreSQL's parse_bool
 *
 * Transactional SET (guc.c's GUC stack): every (sub)transaction level has an
 * undo frame. The first SET of a name at a level saves the name's value and
 * session value there. Commit of the top level turns every value back into
 * its session value (so SET LOCAL ends, SET stays); abort restores the saved
 * values; RELEASE merges a frame into its parent; ROLLBACK TO restores the
 * frame and keeps it (the savepoint lives on).
 *
 *            SET x=1            SET LOCAL x=2          COMMIT
 *   value:   0 -> 1             1 -> 2                 2 -> session (1)
 *   session: 0 -> 1             1 (unchanged)          1
 *
 * TimeZone: utils/adt reads the session zone from timezone.ts's module state
 * (one module instance per backend worker). Guc owns the setting; its assign
 * step and activate() write it there, so two Databases in one thread each
 * see their own zone while they run a statement.
 */

import { quoteIdentifier } from '../../parser/deparse.ts';
import type { Node } from '../../parser/primnodes.ts';
import type { DefElem, VariableSetStmt } from '../../parser/nodes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { lookupTimeZone, setSessionTimeZone, type TimeZone, fixedOffsetZone } from '../adt/timezone.ts';
import { GUC_DEFS, type GucDef, type GucUnit } from './guc_tables.ts';

export type { GucDef } from './guc_tables.ts';

const INT_MAX = 2147483647;
const CANT_CHANGE = '55P02';

/** One row of pg_settings (its text columns; numbers as text, as the view's columns are text). */
export interface PgSettingsRow {
  name: string;
  setting: string;
  unit: string | null;
  category: string;
  short_desc: string;
  extra_desc: string | null;
  context: string;
  vartype: string;
  source: string;
  min_val: string | null;
  max_val: string | null;
  enumvals: string[] | null;
  boot_val: string;
  reset_val: string;
  sourcefile: string | null;
  sourceline: number | null;
  pending_restart: boolean;
}

interface SavedValue {
  value: string;
  session: string;
  source: string;
}

/** Unit sizes in the unit's base quantity: bytes for memory, microseconds for time. */
const MEMORY_UNITS: readonly [string, number][] = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024], ['B', 1]];
const TIME_UNITS: readonly [string, number][] = [['d', 86_400e6], ['h', 3_600e6], ['min', 60e6], ['s', 1e6], ['ms', 1e3], ['us', 1]];
const UNIT_SIZE: Record<GucUnit, number> = { B: 1, kB: 1024, '8kB': 8192, MB: 1024 ** 2, us: 1, ms: 1e3, s: 1e6, min: 60e6 };
const MEMORY_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".';
const TIME_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

function isMemoryUnit(u: GucUnit): boolean {
  return u === 'B' || u === 'kB' || u === '8kB' || u === 'MB';
}

function unitTable(u: GucUnit): readonly [string, number][] {
  return isMemoryUnit(u) ? MEMORY_UNITS : TIME_UNITS;
}

/** PostgreSQL's parse_bool: on/off, true/false, yes/no, 1/0 and unique prefixes. */
export function parseBool(text: string): boolean | null {
  const s = text.trim().toLowerCase();
  if (s === '') return null;
  if ('true'.startsWith(s) || 'yes'.startsWith(s) || s === 'on' || s === '1') return true;
  if ('false'.startsWith(s) || 'no'.startsWith(s) || (s.length >= 2 && 'off'.startsWith(s)) || s === '0') return false;
  return null;
}

/** C's %g: six significant digits, trailing zeros removed, exponent form for very large or small values. */
export function formatG(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const [mant, expText] = v.toExponential(5).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = v.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** A number with an optional unit ('4MB', '1.5 s', '10'); null when the text is not one. */
function splitNumberUnit(text: string): { num: number; unit: string } | null {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?0[xX][0-9a-fA-F]+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (m === null) return null;
  return { num: Number(m[1]), unit: m[2] };
}

function invalidValue(def: GucDef, value: string, hint?: string): PgError {
  return new PgError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${def.name}": "${value}"`, hint !== undefined ? { hint } : {});
}

function outOfRange(def: GucDef, v: string): PgError {
  const u = def.unit !== null && def.vartype === 'integer' ? ` ${def.unit}` : def.unit !== null ? ` ${def.unit}` : '';
  const fmt = (n: number | undefined): string => (def.vartype === 'real' ? formatG(n ?? 0) : String(n));
  return new PgError(SQLSTATE.invalid_parameter_value,
    `${v}${u} is outside the valid range for parameter "${def.name}" (${fmt(def.min)}${u} .. ${fmt(def.max)}${u})`);
}

/** The text of a value to its setting form, or a PgError as PostgreSQL's parse_and_validate_value raises. */
function normalizeValue(def: GucDef, value: string): string {
  switch (def.vartype) {
    case 'bool': {
      const b = parseBool(value);
      if (b === null) throw new PgError(SQLSTATE.invalid_parameter_value, `parameter "${def.name}" requires a Boolean value`);
      return b ? 'on' : 'off';
    }
    case 'integer': {
      const p = splitNumberUnit(value);
      if (p === null) throw invalidValue(def, value, def.unit !== null && /^\s*[+-]?\d/.test(value) ? (isMemoryUnit(def.unit) ? MEMORY_HINT : TIME_HINT) : undefined);
      let n = p.num;
      if (p.unit !== '') {
        if (def.unit === null) throw invalidValue(def, value);
        const u = unitTable(def.unit).find(([name]) => name === p.unit);
        if (u === undefined) throw invalidValue(def, value, isMemoryUnit(def.unit) ? MEMORY_HINT : TIME_HINT);
        n = (n * u[1]) / UNIT_SIZE[def.unit];
      }
      n = Math.round(n);
      if (!Number.isFinite(n) || n > INT_MAX || n < -INT_MAX - 1) throw invalidValue(def, value, 'Value exceeds integer range.');
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) throw outOfRange(def, String(n));
      return String(n);
    }
    case 'real': {
      const p = splitNumberUnit(value);
      if (p === null || (p.unit !== '' && def.unit === null)) throw invalidValue(def, value);
      let n = p.num;
      if (p.unit !== '' && def.unit !== null) {
        const u = unitTable(def.unit).find(([name]) => name === p.unit);
        if (u === undefined) throw invalidValue(def, value, isMemoryUnit(def.unit) ? MEMORY_HINT : TIME_HINT);
        n = (n * u[1]) / UNIT_SIZE[def.unit];
      }
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) throw outOfRange(def, formatG(n));
      return formatG(n);
    }
    case 'enum': {
      const s = value.trim().toLowerCase();
      const hit = def.enumvals?.find((e) => e === s);
      if (hit === undefined) throw invalidValue(def, value, `Available values: ${(def.enumvals ?? []).join(', ')}.`);
      return hit;
    }
    case 'string':
      return normalizeString(def, value);
  }
}

/** check hooks of the string settings whose values tabgres interprets. */
function normalizeString(def: GucDef, value: string): string {
  switch (def.name) {
    case 'TimeZone':
      return zoneFromSetting(value, def).name;
    case 'DateStyle': {
      let style = 'ISO';
      let order = 'MDY';
      for (const part of value.split(',').map((s) => s.trim().toUpperCase())) {
        if (part === 'ISO' || part === 'SQL' || part === 'POSTGRES' || part === 'GERMAN') style = part;
        else if (part === 'MDY' || part === 'DMY' || part === 'YMD' || part === 'US' || part === 'EURO' || part === 'EUROPEAN' || part === 'NONEURO' || part === 'NONEUROPEAN') {
          order = part === 'US' || part === 'NONEURO' || part === 'NONEUROPEAN' ? 'MDY' : part === 'EURO' || part === 'EUROPEAN' ? 'DMY' : part;
        } else throw invalidValue(def, value);
      }
      if (style !== 'ISO' || order !== 'MDY') {
        throw new PgError(SQLSTATE.feature_not_supported, `DateStyle "${value}" is not supported`, { detail: 'Only ISO, MDY is implemented.' });
      }
      return 'ISO, MDY';
    }
    case 'client_encoding': {
      const e = value.trim().toUpperCase().replace(/[-_]/g, '');
      if (e === 'UTF8' || e === 'UNICODE') return 'UTF8';
      throw new PgError(SQLSTATE.feature_not_supported, `client_encoding "${value}" is not supported`, { detail: 'Only UTF8 is implemented.' });
    }
    default:
      return value;
  }
}

/** A TimeZone setting: a zone name, an abbreviation, or a numeric offset in hours ('+02', '-5', '5.5'). */
const zonesBySetting = new Map<string, TimeZone>();
/** Bound on remembered zones (each distinct SET TimeZone value adds one). */
const ZONES_BY_SETTING_MAX = 256;

function zoneFromSetting(value: string, def: GucDef): TimeZone {
  const known = zonesBySetting.get(value);
  if (known !== undefined) return known;
  const zone = parseZoneSetting(value, def);
  if (zonesBySetting.size >= ZONES_BY_SETTING_MAX) zonesBySetting.clear();
  zonesBySetting.set(value, zone);
  zonesBySetting.set(zone.name, zone);
  return zone;
}

function parseZoneSetting(value: string, def: GucDef): TimeZone {
  const v = value.trim();
  const num = /^([+-]?)(\d{1,2})(?::(\d{2}))?(?:\.(\d+))?$/.exec(v);
  if (num !== null) {
    // A bare number is a POSIX-style offset west of Greenwich only when written with a sign in
    // PostgreSQL's SET TIME ZONE 'x'; SET TIME ZONE -5 (a number) means hours east. Both show as <-05>+05.
    const hours = Number(num[2]) + Number(num[3] ?? 0) / 60 + (num[4] !== undefined ? Number('0.' + num[4]) : 0);
    const east = num[1] === '-' ? -hours : hours;
    const secs = Math.round(east * 3600);
    const abbr = (secs < 0 ? '-' : '+') + formatHm(Math.abs(secs));
    const posix = (secs <= 0 ? '+' : '-') + formatHm(Math.abs(secs));
    return fixedOffsetZone(secs, `<${abbr}>${posix}`);
  }
  const zone = lookupTimeZone(v);
  if (zone === null) throw invalidValue(def, value);
  if (zone.name === v.toUpperCase()) return zone;
  return { name: canonicalZoneName(v), utcOffsetAt: (t: bigint) => zone.utcOffsetAt(t) };
}

function formatHm(secs: number): string {
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return String(h).padStart(2, '0') + (m !== 0 ? ':' + String(m).padStart(2, '0') : '');
}

function canonicalZoneName(name: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return name;
  }
}

/** SHOW's text of a setting-form value (units chosen as _ShowOption does). */
function showValue(def: GucDef, setting: string): string {
  if (def.unit === null || (def.vartype !== 'integer' && def.vartype !== 'real')) return setting;
  const n = Number(setting);
  if (!(n > 0)) return setting;
  const base = n * UNIT_SIZE[def.unit];
  const table = unitTable(def.unit);
  if (def.vartype === 'integer') {
    for (const [name, size] of table) {
      if (size >= UNIT_SIZE[def.unit] && base % size === 0) return `${base / size}${name}`;
      if (size < UNIT_SIZE[def.unit]) return `${base / size}${name}`;
    }
    return setting;
  }
  for (const [name, size] of table) {
    const v = base / size;
    if (Math.abs(v - Math.round(v)) < 1e-9 * Math.max(1, Math.abs(v))) return `${formatG(Math.round(v))}${name}`;
  }
  return `${formatG(base)}us`;
}

const DEFS_BY_LOWER = new Map<string, GucDef>(GUC_DEFS.map((d) => [d.name.toLowerCase(), d]));
/** SHOW ALL and pg_settings are sorted by name, case-insensitively (guc_var_compare). */
const SORTED_DEFS = [...GUC_DEFS].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));

export class Guc {
  /** Current values (setting form), by lower-case name. */
  private readonly values = new Map<string, string>();
  /** What each value becomes at top-level commit (SET LOCAL does not change it). */
  private readonly session = new Map<string, string>();
  private readonly sources = new Map<string, string>();
  /** Reset values: boot values overridden by Database.open's options (shared_buffers). */
  private readonly resetValues = new Map<string, string>();
  /** Custom placeholders (SET myapp.x = ...): names with a dot. */
  private readonly custom = new Map<string, string>();
  /** One undo frame per open (sub)transaction level. */
  private readonly stack: Map<string, SavedValue>[] = [];
  private zone: TimeZone;
  /**
   * Counts value changes (SET, RESET, and their undoing at transaction end):
   * while it stays the same, settings read from this Guc are still current
   * (the planner keeps its parsed cost settings, optimizer/path/costsize.ts).
   */
  private changeCount = 0;

  get changes(): number {
    return this.changeCount;
  }

  constructor(startup: Record<string, string> = {}) {
    for (const d of GUC_DEFS) {
      const key = d.name.toLowerCase();
      const v = startup[d.name] ?? startup[key] ?? d.boot;
      const norm = normalizeValue(d, v);
      this.values.set(key, norm);
      this.session.set(key, norm);
      this.resetValues.set(key, norm);
      this.sources.set(key, norm === d.boot ? 'default' : 'configuration file');
    }
    this.zone = zoneFromSetting(this.values.get('timezone') ?? 'UTC', DEFS_BY_LOWER.get('timezone') as GucDef);
  }

  /** Makes this backend's TimeZone the session zone utils/adt reads (call before running a statement). */
  activate(): void {
    setSessionTimeZone(this.zone);
  }

  get timeZone(): TimeZone {
    return this.zone;
  }

  private def(name: string): GucDef {
    const d = DEFS_BY_LOWER.get(name.toLowerCase());
    if (d === undefined) throw new PgError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`);
    return d;
  }

  /** Whether a name is known (custom placeholders included). */
  has(name: string): boolean {
    return DEFS_BY_LOWER.has(name.toLowerCase()) || this.custom.has(name.toLowerCase());
  }

  /** SHOW name: [column name, text]. 42704 for unknown names. */
  show(name: string): { column: string; value: string } {
    const key = name.toLowerCase();
    const c = this.custom.get(key);
    if (c !== undefined) return { column: key, value: c };
    const d = this.def(name);
    return { column: d.name, value: showValue(d, this.values.get(key) as string) };
  }

  /** current_setting(name, missing_ok). */
  showOrNull(name: string, missingOk: boolean): string | null {
    if (missingOk && !this.has(name)) return null;
    return this.show(name).value;
  }

  /** SHOW ALL: name, setting (SHOW text), description. */
  showAll(): { name: string; setting: string; description: string }[] {
    return SORTED_DEFS.map((d) => ({ name: d.name, setting: showValue(d, this.values.get(d.name.toLowerCase()) as string), description: d.short_desc }));
  }

  /** pg_settings.setting form of a value ('4096' for work_mem): what the planner reads. */
  setting(name: string): string {
    const key = name.toLowerCase();
    const v = this.values.get(key) ?? this.custom.get(key);
    if (v === undefined) this.def(name);
    return v as string;
  }

  intValue(name: string): number {
    return Number(this.setting(name));
  }

  realValue(name: string): number {
    return Number(this.setting(name));
  }

  boolValue(name: string): boolean {
    return this.setting(name) === 'on';
  }

  /**
   * SET [LOCAL] name = value, or RESET name when value is null. Validates
   * first (nothing changes on error); records undo information for the
   * current transaction level.
   */
  /**
   * Check-and-assign hooks the backend installs for settings whose value
   * also lives outside this object (transaction_isolation -> Xact), by
   * lower-case name; SET calls them before anything changes, so a hook
   * that throws refuses the value.
   */
  readonly externalHooks = new Map<string, (value: string) => void>();

  set(name: string, value: string | null, opts: { isLocal?: boolean } = {}): void {
    const key = name.toLowerCase();
    if (!DEFS_BY_LOWER.has(key)) {
      if (!key.includes('.')) throw new PgError(SQLSTATE.undefined_object, `unrecognized configuration parameter "${name}"`);
      this.setCustom(key, value, opts.isLocal === true);
      return;
    }
    const d = DEFS_BY_LOWER.get(key) as GucDef;
    if (d.context === 'internal') throw new PgError(CANT_CHANGE, `parameter "${d.name}" cannot be changed`);
    if (d.context === 'postmaster') throw new PgError(CANT_CHANGE, `parameter "${d.name}" cannot be changed without restarting the server`);
    if (d.context === 'sighup') throw new PgError(CANT_CHANGE, `parameter "${d.name}" cannot be changed now`);
    const norm = value === null ? (this.resetValues.get(key) as string) : normalizeValue(d, value);
    this.checkSupported(d, norm);
    // A setting that lives elsewhere too (transaction_isolation in the transaction manager) may refuse the value.
    this.externalHooks.get(key)?.(norm);
    this.remember(key);
    this.values.set(key, norm);
    if (opts.isLocal !== true) this.session.set(key, norm);
    this.sources.set(key, value === null ? 'default' : 'session');
    this.assign(key, norm);
  }

  private setCustom(key: string, value: string | null, isLocal: boolean): void {
    this.remember(key);
    const v = value ?? '';
    this.custom.set(key, v);
    if (!isLocal) this.session.set(key, v);
  }

  /** Values PostgreSQL accepts whose behaviour tabgres does not implement: 0A000. */
  private checkSupported(d: GucDef, norm: string): void {
    if (d.name === 'IntervalStyle' && norm !== 'postgres') {
      throw new PgError(SQLSTATE.feature_not_supported, `IntervalStyle "${norm}" is not supported`, { detail: 'Only postgres is implemented.' });
    }
    if (d.name === 'bytea_output' && norm !== 'hex') {
      throw new PgError(SQLSTATE.feature_not_supported, 'bytea_output "escape" is not supported', { detail: 'Only hex is implemented.' });
    }
  }

  /** The assign hook: settings with effects outside this object. */
  private assign(key: string, norm: string): void {
    this.changeCount++;
    if (key === 'timezone') {
      this.zone = zoneFromSetting(norm, DEFS_BY_LOWER.get('timezone') as GucDef);
      this.activate();
    }
  }

  private remember(key: string): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined || frame.has(key)) return;
    frame.set(key, {
      value: this.values.get(key) ?? this.custom.get(key) ?? '',
      session: this.session.get(key) ?? '',
      source: this.sources.get(key) ?? 'default',
    });
  }

  /** RESET ALL: every user-settable value back to its reset value. */
  resetAll(): void {
    for (const d of GUC_DEFS) {
      if (d.context !== 'user' && d.context !== 'superuser') continue;
      if (d.name.startsWith('transaction_')) continue;
      this.set(d.name, null);
    }
  }

  /**
   * Executes SET / RESET / SET TRANSACTION (VariableSetStmt). Returns a
   * warning for SET LOCAL / SET TRANSACTION outside a transaction block
   * (which PostgreSQL reports and then applies for the implicit
   * transaction only).
   */
  executeSetStmt(stmt: VariableSetStmt, inTransactionBlock: boolean): string | null {
    let warning: string | null = null;
    if (stmt.is_local && !inTransactionBlock) warning = 'SET LOCAL can only be used in transaction blocks';
    switch (stmt.kind) {
      case 'VAR_SET_VALUE':
        this.set(stmt.name as string, this.flattenArgs(stmt.name as string, stmt.args as Node[]), { isLocal: stmt.is_local });
        break;
      case 'VAR_SET_DEFAULT':
      case 'VAR_RESET':
        this.set(stmt.name as string, null, { isLocal: stmt.is_local });
        break;
      case 'VAR_RESET_ALL':
        this.resetAll();
        break;
      case 'VAR_SET_CURRENT':
        throw new PgError(SQLSTATE.feature_not_supported, 'SET FROM CURRENT is not supported');
      case 'VAR_SET_MULTI': {
        const session = stmt.name === 'SESSION CHARACTERISTICS';
        if (!session && !inTransactionBlock) warning = 'SET TRANSACTION can only be used in transaction blocks';
        for (const opt of stmt.args as DefElem[]) {
          const v = constText(opt.arg as Node);
          const name = session ? 'default_' + opt.defname : opt.defname;
          this.set(name, v, { isLocal: !session });
        }
        break;
      }
    }
    return warning;
  }

  /** flatten_set_variable_args: the SET arguments as one string. */
  private flattenArgs(name: string, args: Node[]): string {
    const d = DEFS_BY_LOWER.get(name.toLowerCase());
    if (args.length > 1 && d?.listQuote !== true) {
      throw new PgError(SQLSTATE.invalid_parameter_value, `SET ${name} takes only one argument`);
    }
    return args.map((a) => {
      const isString = a.type === 'A_Const' && a.val?.type === 'String';
      const t = constText(a);
      return d?.listQuote === true && isString ? quoteIdentifier(t) : t;
    }).join(', ');
  }

  // ---------------------------------------------------------------- transactions

  atStartTransaction(): void {
    this.stack.length = 0;
    this.stack.push(new Map());
    const iso = this.values.get('default_transaction_isolation') as string;
    this.values.set('transaction_isolation', iso);
    this.values.set('transaction_read_only', this.values.get('default_transaction_read_only') as string);
  }

  atStartSubtransaction(): void {
    this.stack.push(new Map());
  }

  /** Top-level commit: SET values stay, SET LOCAL values end. */
  atCommit(): void {
    for (const frame of this.stack) {
      for (const key of frame.keys()) this.restoreTo(key, this.session.get(key) ?? '', this.session.get(key) ?? '');
    }
    this.stack.length = 0;
  }

  /** Top-level abort: every SET of the transaction is undone. */
  atAbort(): void {
    while (this.stack.length > 0) this.undoFrame(this.stack.pop() as Map<string, SavedValue>);
  }

  /** RELEASE SAVEPOINT: the frame's saved values belong to the parent now. */
  atSubCommit(): void {
    const frame = this.stack.pop();
    const parent = this.stack[this.stack.length - 1];
    if (frame === undefined || parent === undefined) return;
    for (const [k, v] of frame) if (!parent.has(k)) parent.set(k, v);
  }

  /** ROLLBACK TO SAVEPOINT: undo the savepoint's SETs; the savepoint stays (its frame is emptied). */
  atSubAbort(keepFrame: boolean): void {
    const frame = this.stack.pop();
    if (frame !== undefined) this.undoFrame(frame);
    if (keepFrame) this.stack.push(new Map());
  }

  private undoFrame(frame: Map<string, SavedValue>): void {
    for (const [key, saved] of frame) {
      this.restoreTo(key, saved.value, saved.session);
      this.sources.set(key, saved.source);
    }
  }

  private restoreTo(key: string, value: string, session: string): void {
    if (DEFS_BY_LOWER.has(key)) {
      const changed = this.values.get(key) !== value;
      this.values.set(key, value);
      this.session.set(key, session);
      if (changed) this.assign(key, value);
    } else {
      this.custom.set(key, value);
      this.session.set(key, session);
    }
  }

  // ---------------------------------------------------------------- pg_settings

  pgSettingsRows(): PgSettingsRow[] {
    return SORTED_DEFS.map((d) => {
      const key = d.name.toLowerCase();
      const numeric = d.vartype === 'integer' || d.vartype === 'real';
      const fmt = (n: number | undefined): string | null => (n === undefined ? null : d.vartype === 'real' ? formatG(n) : String(n));
      return {
        name: d.name,
        setting: this.values.get(key) as string,
        unit: d.unit,
        category: d.category,
        short_desc: d.short_desc,
        extra_desc: null,
        context: d.context,
        vartype: d.vartype,
        source: this.sources.get(key) ?? 'default',
        min_val: numeric ? fmt(d.min) : null,
        max_val: numeric ? fmt(d.max) : null,
        enumvals: d.enumvals !== undefined ? [...d.enumvals] : null,
        boot_val: d.boot,
        reset_val: this.resetValues.get(key) as string,
        sourcefile: null,
        sourceline: null,
        pending_restart: false,
      };
    });
  }
}

/** The text of a SET argument: a constant, or 0A000 for anything else. */
function constText(n: Node): string {
  if (n.type === 'A_Const' && n.val !== undefined) {
    switch (n.val.type) {
      case 'Integer': return String(n.val.ival);
      case 'Float': return n.val.fval;
      case 'String': return n.val.sval;
      case 'Boolean': return n.val.boolval ? 'on' : 'off';
      default: break;
    }
  }
  if (n.type === 'TypeCast' && n.arg.type === 'A_Const' && n.arg.val?.type === 'String') {
    throw new PgError(SQLSTATE.feature_not_supported, 'SET TIME ZONE INTERVAL is not supported');
  }
  throw new PgError(SQLSTATE.feature_not_supported, 'this SET value is not supported');
}
