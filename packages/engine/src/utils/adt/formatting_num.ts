/*
 * formatting_num.ts — to_char for numbers (the NUM_ half of PostgreSQL's
 * formatting.c: NUMDesc_prepare, NUM_processor, NUM_numpart_to_char and
 * numeric/int4/int8/float4/float8_to_char).
 *
 * Exports: NUM_FORMATTING_FUNCS (ImplTable: numeric_to_char, int4_to_char,
 *          int8_to_char, float4_to_char, float8_to_char)
 *
 * A template is read into a NumDesc: digits before and after the decimal
 * point (9 and 0), where zero-filling starts (the first 0), and the flags
 * (FM fill mode, S/MI/PL/SG/PR signs, V shift, L/G/D locale symbols).
 * Then the value, rounded to the template's fraction digits, is written
 * digit by digit as the template says: a digit position without a digit is
 * a space (nothing under FM), a 0 position is a zero, a group separator
 * before the first digit is a space, the sign goes right before the first
 * digit unless S/MI/PL/SG/PR place it. A value with more integer digits
 * than the template has is written as '#' in every digit position.
 *
 * Locale symbols are those of the C locale PostgreSQL's initdb uses by
 * default here: D is '.', G is ',', L is ' ' (no currency symbol).
 * RN writes Roman numerals (1..3999), EEEE scientific notation; TH/th, B,
 * C and SP are 0A000.
 */

import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { decimalFromText, decimalToText, roundDecimal } from './numeric.ts';
import { mulDecimal } from './numericarith.ts';
import { rint } from './float.ts';

const SYNTAX_ERROR = '42601';

type NumKey = '9' | '0' | '.' | ',' | 'D' | 'G' | 'FM' | 'S' | 'MI' | 'PL' | 'SG' | 'PR' | 'L' | 'V' | 'EEEE' | 'RN' | 'TH' | 'B' | 'C' | 'SP';
/** A keyword (with `lower` for rn, the lower-case Roman numerals) or literal text. */
type NumNode = { key: NumKey; lower: boolean } | { text: string };

/** NUM_keywords, longest first where one is a prefix of another. */
const KEYWORDS: readonly NumKey[] = ['EEEE', 'FM', 'MI', 'PL', 'PR', 'RN', 'SG', 'SP', 'TH', ',', '.', '0', '9', 'B', 'C', 'D', 'G', 'L', 'S', 'V'];

/** The template as keywords and literal text ("..." quotes text; a backslash is an ordinary character here). */
function parseTemplate(fmt: string): NumNode[] {
  const out: NumNode[] = [];
  let i = 0;
  while (i < fmt.length) {
    const upper = fmt.slice(i, i + 4).toUpperCase();
    const kw = KEYWORDS.find((k) => upper.startsWith(k) && (k !== 'EEEE' || fmt.slice(i, i + 4) === 'EEEE' || fmt.slice(i, i + 4) === 'eeee'));
    if (kw !== undefined) {
      out.push({ key: kw, lower: fmt[i] !== fmt[i].toUpperCase() });
      i += kw.length;
      continue;
    }
    const c = fmt[i];
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < fmt.length && fmt[j] !== '"') {
        if (fmt[j] === '\\' && j + 1 < fmt.length) j++;
        text += fmt[j];
        j++;
      }
      out.push({ text });
      i = j + 1;
      continue;
    }
    out.push({ text: c });
    i++;
  }
  return out;
}

interface NumDesc {
  pre: number;
  post: number;
  decimal: boolean;
  zero: boolean;
  /** 1-based position of the first 0 before the point, then made 0-based by the processor. */
  zeroStart: number;
  zeroEnd: number;
  fillMode: boolean;
  lsign: 'none' | 'pre' | 'post';
  preLsignNum: number;
  minus: boolean;
  plus: boolean;
  bracket: boolean;
  multi: boolean;
  multiDigits: number;
  roman: boolean;
  eeee: boolean;
}

function syntax(msg: string, detail?: string): never {
  return ereport(SYNTAX_ERROR, msg, detail !== undefined ? { detail } : undefined);
}

/** NUMDesc_prepare over every keyword of the template. */
function describe(nodes: NumNode[]): NumDesc {
  const d: NumDesc = {
    pre: 0, post: 0, decimal: false, zero: false, zeroStart: 0, zeroEnd: 0, fillMode: false,
    lsign: 'none', preLsignNum: 0, minus: false, plus: false, bracket: false, multi: false, multiDigits: 0, roman: false, eeee: false,
  };
  for (const n of nodes) {
    if (!('key' in n)) continue;
    switch (n.key) {
      case '9':
        if (d.bracket) syntax('"9" must be ahead of "PR"');
        if (d.multi) d.multiDigits++;
        else if (d.decimal) d.post++;
        else d.pre++;
        break;
      case '0':
        if (d.bracket) syntax('"0" must be ahead of "PR"');
        if (!d.zero && !d.decimal) {
          d.zero = true;
          d.zeroStart = d.pre + 1;
        }
        if (!d.decimal) d.pre++;
        else d.post++;
        d.zeroEnd = d.pre + d.post;
        break;
      case 'D':
      case '.':
        if (d.decimal) syntax('multiple decimal points');
        if (d.multi) syntax('cannot use "V" and decimal point together');
        d.decimal = true;
        break;
      case 'FM':
        d.fillMode = true;
        break;
      case 'S':
        if (d.lsign !== 'none') syntax('cannot use "S" twice');
        if (d.plus || d.minus || d.bracket) syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
        if (!d.decimal) {
          d.lsign = 'pre';
          d.preLsignNum = d.pre;
        } else d.lsign = 'post';
        break;
      case 'MI':
        if (d.lsign !== 'none') syntax('cannot use "S" and "MI" together');
        d.minus = true;
        break;
      case 'PL':
        if (d.lsign !== 'none') syntax('cannot use "S" and "PL" together');
        d.plus = true;
        break;
      case 'SG':
        if (d.lsign !== 'none') syntax('cannot use "S" and "SG" together');
        d.minus = true;
        d.plus = true;
        break;
      case 'PR':
        if (d.lsign !== 'none' || d.plus || d.minus) syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
        d.bracket = true;
        break;
      case 'V':
        if (d.decimal) syntax('cannot use "V" and decimal point together');
        d.multi = true;
        break;
      case 'RN':
        d.roman = true;
        break;
      case 'EEEE':
        if (d.eeee) syntax('cannot use "EEEE" twice');
        if (d.fillMode || d.lsign !== 'none' || d.bracket || d.minus || d.plus || d.roman || d.multi) {
          syntax('"EEEE" is incompatible with other formats', '"EEEE" may only be used together with digit and decimal point patterns.');
        }
        d.eeee = true;
        break;
      case 'TH':
      case 'B':
      case 'C':
      case 'SP':
        ereport(SQLSTATE.feature_not_supported, `to_char template pattern "${n.key}" is not supported for numbers`);
        break;
      default:
        break;
    }
  }
  return d;
}

/** get_last_relevant_decnum: the last non-zero digit after the point (or the point itself). */
function lastRelevantDecnum(num: string): number {
  const dot = num.indexOf('.');
  if (dot < 0) return -1;
  let last = dot;
  for (let i = dot + 1; i < num.length; i++) if (num[i] !== '0') last = i;
  return last;
}

/**
 * NUM_processor for to_char: `num` is the value's digits without sign
 * ("1234.50", or '#'s on overflow), `sign` '+' or '-', outPreSpaces the
 * template's integer positions the value leaves empty.
 */
function numProcessor(nodes: NumNode[], d: NumDesc, num: string, sign: '+' | '-', outPreSpaces: number): string {
  let out = '';
  let signWrote: boolean;
  let numIn = false;
  let numCurr = 0;
  let p = 0;
  const zeroStart = d.zeroStart > 0 ? d.zeroStart - 1 : 0;
  let bracket = d.bracket;
  let lsign = d.lsign;
  if (d.plus || d.minus) {
    signWrote = !(d.plus && !d.minus);
  } else {
    if (sign !== '-' && d.fillMode) bracket = false;
    signWrote = sign === '+' && d.fillMode && lsign === 'none';
    if (lsign === 'pre' && d.pre === d.preLsignNum) lsign = 'post';
  }
  let numCount = d.post + d.pre - 1;
  let lastRelevant = -1;
  if (d.fillMode && d.decimal) {
    lastRelevant = lastRelevantDecnum(num);
    if (lastRelevant >= 0 && d.zeroEnd > outPreSpaces) {
      const lastZero = Math.min(num.length - 1, d.zeroEnd - outPreSpaces);
      if (lastRelevant < lastZero) lastRelevant = lastZero;
    }
  }
  if (!signWrote && outPreSpaces === 0) numCount++;
  const predecSpace = (): boolean => !d.zero && p === 0 && num[0] === '0' && d.post !== 0;

  const numpart = (id: '9' | '0' | '.'): void => {
    if (!signWrote && (numCurr >= outPreSpaces || (d.zero && zeroStart === numCurr)) &&
        (!predecSpace() || (lastRelevant >= 0 && num[lastRelevant] === '.'))) {
      if (lsign !== 'none') {
        if (lsign === 'pre') {
          out += sign === '-' ? '-' : '+';
          signWrote = true;
        }
      } else if (bracket) {
        out += sign === '+' ? ' ' : '<';
        signWrote = true;
      } else if (sign === '+') {
        if (!d.fillMode) out += ' ';
        signWrote = true;
      } else {
        out += '-';
        signWrote = true;
      }
    }
    if (numCurr < outPreSpaces && (zeroStart > numCurr || !d.zero)) {
      if (!d.fillMode) out += ' ';
    } else if (d.zero && numCurr < outPreSpaces && zeroStart <= numCurr) {
      out += '0';
      numIn = true;
    } else {
      if (num[p] === '.') {
        if (lastRelevant < 0 || num[lastRelevant] !== '.') out += '.';
        else if (d.fillMode) out += '.';
      } else if (lastRelevant >= 0 && p > lastRelevant && id !== '0') {
        // FM: a trailing zero after the last relevant fraction digit is dropped.
      } else if (predecSpace()) {
        if (!d.fillMode) out += ' ';
        else if (lastRelevant >= 0 && num[lastRelevant] === '.') out += '0';
      } else {
        out += num[p] ?? '';
        numIn = true;
      }
      if (p < num.length) p++;
    }
    let end = numCount + (outPreSpaces > 0 ? 1 : 0) + (d.decimal ? 1 : 0);
    if (lastRelevant >= 0 && lastRelevant === p) end = numCurr;
    if (numCurr + 1 === end) {
      if (signWrote && bracket) out += sign === '+' ? ' ' : '>';
      else if (lsign === 'post') out += sign === '-' ? '-' : '+';
    }
    numCurr++;
  };

  for (const n of nodes) {
    if (!('key' in n)) {
      out += n.text;
      continue;
    }
    switch (n.key) {
      case '9':
      case '0':
        numpart(n.key);
        break;
      case '.':
      case 'D':
        numpart('.');
        break;
      case ',':
      case 'G':
        if (!numIn) {
          if (!d.fillMode) out += ' ';
        } else out += ',';
        break;
      case 'L':
        out += ' ';
        break;
      case 'MI':
        if (sign === '-') out += '-';
        else if (!d.fillMode) out += ' ';
        break;
      case 'PL':
        if (sign === '+') out += '+';
        else if (!d.fillMode) out += ' ';
        break;
      case 'SG':
        out += sign;
        break;
      case 'RN': {
        // The Roman numeral right-aligned in 15 characters, or as is under FM.
        const r = n.lower ? num.toLowerCase() : num;
        out += d.fillMode ? r : r.padStart(15, ' ');
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The common tail of numeric_to_char and its kin: digits, sign and padding from a decimal text. */
function formatDecimalText(nodes: NumNode[], d: NumDesc, text: string): string {
  const sign: '+' | '-' = text.startsWith('-') ? '-' : '+';
  let num = sign === '-' ? text.slice(1) : text;
  const dot = num.indexOf('.');
  const preLen = dot >= 0 ? dot : num.length;
  let outPreSpaces = 0;
  if (preLen < d.pre) outPreSpaces = d.pre - preLen;
  else if (preLen > d.pre) num = '#'.repeat(d.pre) + '.' + '#'.repeat(d.post);
  return numProcessor(nodes, d, num, sign, outPreSpaces);
}

/** numeric_out_sci: d.ddd...e±NN with `post` fraction digits; a positive value gets a leading space. */
function sciText(coef: bigint, scale: number, post: number): string {
  const neg = coef < 0n;
  const abs = neg ? -coef : coef;
  let exp = 0;
  let digits = '0';
  if (abs !== 0n) {
    digits = abs.toString();
    exp = digits.length - 1 - scale;
  }
  // The significand d.dddd rounded half away from zero to `post` places. As in PostgreSQL the
  // exponent is fixed before rounding, so 99.96 with one place is 10.0e+01.
  const m = roundDecimal({ special: null, coef: abs, scale: digits.length - 1 }, post);
  let text = decimalToText(m);
  const dot = text.indexOf('.');
  const have = dot < 0 ? 0 : text.length - dot - 1;
  if (post > 0 && dot < 0) text += '.';
  text += '0'.repeat(Math.max(0, post - have));
  return `${neg ? '-' : ' '}${text}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** The exact decimal value of a finite double: coef / 10^scale. */
function exactDecimal(v: number): { coef: bigint; scale: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, v);
  const bits = buf.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let coef: bigint;
  let scale = 0;
  if (e >= 0) coef = mant << BigInt(e);
  else {
    coef = mant * 5n ** BigInt(-e);
    scale = -e;
  }
  return { coef: neg ? -coef : coef, scale };
}

/** printf's %+.*e: the exact binary value rounded half to even, exponent in at least two digits; '+' shown as a space. */
function floatSci(value: number, post: number): string {
  const neg = value < 0 || Object.is(value, -0);
  if (value === 0) return `${neg ? '-' : ' '}0${post > 0 ? '.' + '0'.repeat(post) : ''}e+00`;
  const { coef, scale } = exactDecimal(Math.abs(value));
  const digits = coef.toString();
  let exp = digits.length - 1 - scale;
  // Keep post + 1 significant digits, rounding half to even on the exact remainder.
  const keep = post + 1;
  let sig: bigint;
  if (digits.length <= keep) sig = coef * 10n ** BigInt(keep - digits.length);
  else {
    const div = 10n ** BigInt(digits.length - keep);
    sig = coef / div;
    const rem = coef % div;
    if (rem * 2n > div || (rem * 2n === div && sig % 2n === 1n)) sig++;
    if (sig.toString().length > keep) {
      sig /= 10n;
      exp++;
    }
  }
  const sd = sig.toString();
  const mant = post > 0 ? `${sd[0]}.${sd.slice(1)}` : sd;
  return `${neg ? '-' : ' '}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** int_to_roman: 1..3999, else fifteen '#'. */
function intToRoman(v: number): string {
  if (v < 1 || v > 3999) return '#'.repeat(15);
  const table: [number, string][] = [
    [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
  ];
  let out = '';
  let n = v;
  for (const [k, s] of table) {
    while (n >= k) {
      out += s;
      n -= k;
    }
  }
  return out;
}

function prepare(fmt: string): { nodes: NumNode[]; d: NumDesc } | null {
  if (fmt.length === 0) return null;
  const nodes = parseTemplate(fmt);
  return { nodes, d: describe(nodes) };
}

/** numeric_to_char: V shifts by 10^n, then the value is rounded to the template's fraction digits. */
function numericToChar(value: string, fmt: string): string {
  const t = prepare(fmt);
  if (t === null) return '';
  let v = decimalFromText(value);
  if (t.d.roman) {
    const r = roundDecimal(v, 0);
    const n = r.special === null ? Number(r.coef) * 10 ** -r.scale : 0;
    return numProcessor(t.nodes, t.d, intToRoman(n), '+', 0);
  }
  if (t.d.eeee) {
    if (v.special !== null) return ' ' + '#'.repeat(t.d.pre) + '.' + '#'.repeat(t.d.post + 4);
    return sciText(v.coef, v.scale, t.d.post);
  }
  // NaN and the infinities go through as their text: "NaN" fits a three-digit template, longer ones overflow to '#'.
  if (v.special !== null) return formatDecimalText(t.nodes, t.d, decimalToText(v));
  if (t.d.multi) {
    v = mulDecimal(v, { special: null, coef: 10n ** BigInt(t.d.multiDigits), scale: 0 });
    t.d.pre += t.d.multiDigits;
  }
  const rounded = roundDecimal(v, t.d.post);
  let text = decimalToText(rounded);
  // numeric_out shows the scale of the rounded value; the template's fraction digits are all written.
  if (t.d.post > 0) {
    const dot = text.indexOf('.');
    const have = dot < 0 ? 0 : text.length - dot - 1;
    if (dot < 0) text += '.';
    text += '0'.repeat(Math.max(0, t.d.post - have));
  }
  return formatDecimalText(t.nodes, t.d, text);
}

function intToChar(value: number | bigint, fmt: string): string {
  return numericToChar(String(value), fmt);
}

/** DBL_DIG: float8_to_char writes at most 15 significant digits. */
const DBL_DIG = 15;
const FLT_DIG = 6;

function floatToChar(value: number, fmt: string, digits: number): string {
  const t = prepare(fmt);
  if (t === null) return '';
  if (t.d.roman) return numProcessor(t.nodes, t.d, intToRoman(rint(value)), '+', 0);
  if (t.d.eeee) {
    if (!Number.isFinite(value)) return ' ' + '#'.repeat(t.d.pre) + '.' + '#'.repeat(t.d.post + 4);
    return floatSci(value, t.d.post);
  }
  if (!Number.isFinite(value)) {
    const num = '#'.repeat(t.d.pre) + (t.d.post > 0 ? '.' + '#'.repeat(t.d.post) : '');
    return numProcessor(t.nodes, t.d, num, value < 0 ? '-' : '+', 0);
  }
  let val = value;
  if (t.d.multi) {
    val = value * 10 ** t.d.multiDigits;
    t.d.pre += t.d.multiDigits;
  }
  const preLen = Math.abs(val).toFixed(0).length;
  if (preLen >= digits) t.d.post = 0;
  else if (preLen + t.d.post > digits) t.d.post = digits - preLen;
  const text = val.toFixed(t.d.post);
  return formatDecimalText(t.nodes, t.d, text);
}

export const NUM_FORMATTING_FUNCS: ImplTable = {
  numeric_to_char: fixed((a) => numericToChar(a[0] as string, a[1] as string)),
  int4_to_char: fixed((a) => intToChar(a[0] as number, a[1] as string)),
  int8_to_char: fixed((a) => intToChar(a[0] as bigint, a[1] as string)),
  float4_to_char: fixed((a) => floatToChar(a[0] as number, a[1] as string, FLT_DIG)),
  float8_to_char: fixed((a) => floatToChar(a[0] as number, a[1] as string, DBL_DIG)),
};
