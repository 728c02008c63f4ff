/*
 * datum.ts — how values of each SQL type look in JavaScript and on a page.
 *
 * A Datum is the JavaScript form of one non-null value:
 *
 *   type                       JS form
 *   bool                       boolean
 *   int2, int4, oid            number (integer)
 *   int8                       bigint
 *   float4, float8             number
 *   numeric                    string, PostgreSQL's canonical output ("12.50", "NaN")
 *   text, varchar, bpchar,name string (JS UTF-16; stored as UTF-8)
 *   bytea                      Uint8Array
 *   date                       number: days since 2000-01-01 (PostgreSQL's epoch);
 *                              +/-Infinity as DATEVAL_NOBEGIN/NOEND
 *   timestamp, timestamptz     bigint: microseconds since 2000-01-01 00:00:00 (UTC for
 *                              timestamptz); DT_NOBEGIN/DT_NOEND for -infinity/infinity
 *   interval                   Interval {months, days, micros: bigint}
 *   uuid                       string, lower-case canonical 8-4-4-4-12 form
 *   tid, regclass, regtype     number
 *   json                       string (the input text); jsonb: Jsonb (jsonb.ts)
 *   arrays                     ArrayValue (array.ts); record: RecordValue (rowtypes.ts)
 *
 * NULL is not a Datum: tuples carry a null bitmap and the APIs use `null`.
 *
 * On a page a value is stored as PostgreSQL stores it (little-endian):
 * fixed-length types (typlen > 0) as typlen bytes aligned to typalign;
 * variable-length types (typlen = -1, "varlena") as a length header followed by
 * the payload bytes that `toBytes` produces. The tuple code (access/common)
 * owns headers, alignment, compression and TOAST; a type only converts between
 * its JS form and its raw bytes.
 */

import type { ArrayValue } from './array.ts';
import type { Jsonb } from './jsonb.ts';
import type { RecordValue } from './rowtypes.ts';
import type { TimeTz } from './timetz.ts';

export interface Interval {
  months: number;
  days: number;
  micros: bigint;
}

/*
 * Extension forms (arrays, jsonb, records) are classes defined beside their
 * types; README.md "Datum forms and storage" lists them.
 */
export type Datum = boolean | number | bigint | string | Uint8Array | Interval | TimeTz | ArrayValue | Jsonb | RecordValue;

/** Alignment codes of pg_type.typalign: char (1), short (2), int (4), double (8). */
export type TypAlign = 'c' | 's' | 'i' | 'd';

/** Storage strategies of pg_type.typstorage / pg_attribute.attstorage. */
export type TypStorage = 'p' | 'e' | 'm' | 'x';

export interface TypeInfo {
  /** pg_type.oid, PostgreSQL's value (int4 = 23, text = 25, ...). */
  readonly oid: number;
  /** pg_type.typname. */
  readonly name: string;
  /** Bytes on disk for fixed-length types; -1 for varlena. */
  readonly typlen: number;
  /** Passed by value in PostgreSQL (informational; JS has no pointers). */
  readonly typbyval: boolean;
  readonly typalign: TypAlign;
  readonly typstorage: TypStorage;
  /** pg_type.typcategory ('N' numeric, 'S' string, 'D' date/time, 'B' boolean, ...). */
  readonly typcategory: string;
  /** pg_type.typispreferred: the preferred type of its category (text, float8, timestamptz, ...). */
  readonly typispreferred?: boolean;
  /** pg_type.typtype: 'b' base (the default), 'p' pseudo-type, 'c' composite. */
  readonly typtype?: 'b' | 'p' | 'c';
  /** pg_type.typelem: the element type of an array type, 0 otherwise. */
  readonly typelem?: number;
  /** pg_type.typarray: the array type whose elements are this type, 0 if none. */
  readonly typarray?: number;

  /**
   * Text input function (typinput): parses PostgreSQL's text form. typmod is
   * the column's type modifier (-1 when none): varchar(n) length, numeric(p,s),
   * timestamp(p). Raises PgError with PostgreSQL's message and SQLSTATE,
   * e.g. 22P02 `invalid input syntax for type integer: "abc"`.
   */
  input(text: string, typmod: number): Datum;
  /** Text output function (typoutput): exactly PostgreSQL's text output. */
  output(value: Datum): string;

  /** Fixed-length types: write `typlen` bytes at `offset`. */
  writeFixed?(view: DataView, offset: number, value: Datum): void;
  /** Fixed-length types: read `typlen` bytes at `offset`. */
  readFixed?(view: DataView, offset: number): Datum;
  /** Varlena types: the payload bytes (without any varlena header). */
  toBytes?(value: Datum): Uint8Array;
  /** Varlena types: the value from its payload bytes (a view; copy if kept). */
  fromBytes?(bytes: Uint8Array): Datum;

  /** Comparison for ordering (btree support function 1): negative, 0, positive. */
  compare(a: Datum, b: Datum): number;
  /**
   * Applies a typmod to an already-parsed value (length checks, numeric
   * rounding): PostgreSQL's length-coercion function. `isExplicit` is true for
   * an explicit cast (`'abcdef'::varchar(3)`), which truncates strings silently
   * where an assignment raises 22001; it defaults to false.
   */
  applyTypmod?(value: Datum, typmod: number, isExplicit?: boolean): Datum;
}
