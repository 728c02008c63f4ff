/*
 * numutils.ts — scanning integer text the way PostgreSQL's input functions do.
 *
 * Exports:
 *   isSpaceCode(c)          C's isspace() on one UTF-16 code unit (ASCII only)
 *   trimCSpace(s)           strip the characters isspace() accepts from both ends
 *   scanInteger(s)          parse PostgreSQL 16+ integer literal syntax to a bigint
 *   scanUnsignedC(s)        parse strtoul(s, 0) syntax (what oidin accepts)
 *
 * PostgreSQL's int2/int4/int8 input (pg_strtoint*) accepts, since version 16:
 *
 *   [spaces] [+|-] digits [spaces]
 *   digits  = decimal with single '_' between digits   1_000_000
 *           | 0x hex, 0o octal, 0b binary, '_' allowed   0x_FF, 0b1010_1010
 *             right after the prefix and between digits
 *
 * "Spaces" are C's isspace() in the C locale: space, \t, \n, \v, \f, \r.
 * JavaScript's \s is wider (it includes U+00A0 and friends), so the patterns
 * below spell the class out.
 */

/** C isspace() for the "C" locale. */
export function isSpaceCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

export function trimCSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSpaceCode(s.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

const INTEGER_RE =
  /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|([0-9](?:_?[0-9])*))[ \t\n\v\f\r]*$/;

/** Plain decimal numbers this short are exact as JavaScript numbers. */
const SAFE_DECIMAL_DIGITS = 15;

/**
 * Parses integer text with PostgreSQL 16+ syntax. Returns null on a syntax
 * error; the caller words the error for its type. The value is exact
 * (a bigint) so callers can range-check it.
 */
export function scanInteger(s: string): bigint | null {
  const m = INTEGER_RE.exec(s);
  if (m === null) return null;
  const neg = m[1] === '-';
  let v: bigint;
  if (m[5] !== undefined) {
    const digits = m[5];
    if (digits.length <= SAFE_DECIMAL_DIGITS && digits.indexOf('_') < 0) {
      v = BigInt(Number(digits));
    } else {
      v = BigInt(digits.replaceAll('_', ''));
    }
  } else if (m[2] !== undefined) {
    v = BigInt('0x' + m[2].replaceAll('_', ''));
  } else if (m[3] !== undefined) {
    v = BigInt('0o' + m[3].replaceAll('_', ''));
  } else {
    v = BigInt('0b' + (m[4] as string).replaceAll('_', ''));
  }
  return neg ? -v : v;
}

const STRTOUL_RE = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))[ \t\n\v\f\r]*$/;

/**
 * Parses what C's strtoul(s, &end, 0) accepts as a whole string: decimal,
 * 0x hex or leading-zero octal, with an optional sign. A minus sign is
 * returned as a negative bigint; the caller decides what negation means
 * (oidin wraps it modulo 2^32, as strtoul does).
 */
export function scanUnsignedC(s: string): bigint | null {
  const m = STRTOUL_RE.exec(s);
  if (m === null) return null;
  let v: bigint;
  if (m[2] !== undefined) v = BigInt('0x' + m[2]);
  else if (m[3] !== undefined) v = m[3].length === 1 ? 0n : BigInt('0o' + m[3].slice(1));
  else v = BigInt(m[4] as string);
  return m[1] === '-' ? -v : v;
}
