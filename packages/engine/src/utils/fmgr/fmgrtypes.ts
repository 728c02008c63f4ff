/*
 * fmgrtypes.ts — built-in functions, operators, aggregates and casts as the
 * SQL layer sees them (PostgreSQL's pg_proc, pg_operator, pg_aggregate and
 * pg_cast rows, with the code behind each function).
 *
 * The contract between utils/fmgr (the registry: fmgrtab.ts, and the
 * functions in utils/adt), the analyzer's resolution rules
 * (parser/parse_func.ts, parse_oper.ts, parse_coerce.ts), the executor
 * (which calls `impl`) and the catalogs (pg_proc/pg_operator rows are
 * generated at initdb from the registry, as PostgreSQL's .dat files are).
 */

/** Values as functions see them: Datums (utils/adt/datum.ts) or extension forms (arrays, json); null is SQL NULL. */
export type FmgrValue = unknown;

/**
 * What a running function may need of its session: the transaction's start
 * time for now(), settings for current_setting(), sequences for nextval(),
 * catalog lookups for regclass input. Implemented by the backend (tcop).
 */
export interface FunctionCallContext {
  /** Start of the current transaction, µs since 2000-01-01 UTC (now(), CURRENT_TIMESTAMP). */
  transactionTimestamp(): bigint;
  /** Start of the current statement (statement_timestamp()). */
  statementTimestamp(): bigint;
  /** current_setting(name) / set_config(). Unknown names raise 42704. */
  getSetting(name: string, missingOk: boolean): string | null;
  setSetting(name: string, value: string, isLocal: boolean): void;
  /** Sequences by OID (nextval/currval/setval/lastval). */
  nextval(seqOid: number): bigint;
  currval(seqOid: number): bigint;
  setval(seqOid: number, value: bigint, isCalled: boolean): bigint;
  lastval(): bigint;
  /** 'name'::regclass: the OID of a relation name (search_path rules), 42P01 if absent. */
  regclassIn(name: string): number;
  /** regclass output: the relation's name, schema-qualified when not on search_path. */
  regclassOut(oid: number): string;
  /** pg_backend_pid(). */
  backendPid(): number;
}

/** One built-in function (a pg_proc row and its code). */
export interface FunctionInfo {
  oid: number;
  proname: string;
  /** 'f' function, 'a' aggregate, 'w' window function. */
  prokind: 'f' | 'a' | 'w';
  proargtypes: number[];
  prorettype: number;
  /** VARIADIC: the last argument type is an array whose elements may be passed separately. */
  provariadic: number;
  /** Returns a set of rows (SRF): implSet is used instead of impl. */
  proretset: boolean;
  /** Returns NULL without being called when any argument is NULL. */
  proisstrict: boolean;
  /** 'i' immutable (may be folded at plan time), 's' stable, 'v' volatile. */
  provolatile: 'i' | 's' | 'v';
  /** Number of trailing arguments that have defaults (make_interval(years => ...)). */
  pronargdefaults: number;
  /**
   * The code: args already evaluated; for strict functions never null.
   * argTypes (optional, additive) are the call's actual argument types
   * (exprType of each argument, PostgreSQL's get_fn_expr_argtype): functions
   * declared with "any" or polymorphic arguments (concat, to_jsonb,
   * jsonb_build_object, format) need them; the executor passes them.
   */
  impl?: (args: FmgrValue[], ctx: FunctionCallContext, resultTypmod: number, argTypes?: readonly number[]) => FmgrValue;
  /**
   * Set-returning functions: yields each row's value — a scalar, or for a
   * function returning several OUT columns (jsonb_each: key, value) a
   * RecordValue (utils/adt/rowtypes.ts) whose `values` are the columns.
   */
  implSet?: (args: FmgrValue[], ctx: FunctionCallContext, argTypes?: readonly number[]) => Iterable<FmgrValue>;
  /** Names of the arguments (pg_proc.proargnames), for named notation; absent when unnamed. */
  proargnames?: string[];
  /** For functions with OUT columns (jsonb_each): the column names and types of each returned row. */
  proallargtypes?: number[];
  proargmodes?: string[];
}

/** One built-in operator (a pg_operator row). */
export interface OperatorInfo {
  oid: number;
  oprname: string;
  /** 'b' binary, 'l' prefix. */
  oprkind: 'b' | 'l';
  oprleft: number;
  oprright: number;
  oprresult: number;
  /** The function that implements it (pg_proc.oid). */
  oprcode: number;
  /** The commutator (a < b is b > a) and negator (= and <>), 0 if none. */
  oprcom: number;
  oprnegate: number;
  /** Can merge join / hash join use it (an equality of a btree / hash opfamily). */
  oprcanmerge: boolean;
  oprcanhash: boolean;
  /** Btree strategy within its type's default opclass: 1 <, 2 <=, 3 =, 4 >=, 5 >; 0 if not a btree operator. */
  btreeStrategy: 0 | 1 | 2 | 3 | 4 | 5;
  /** The opclass input type the strategy is for (int4 for int4 < int8's cross-type operator: the left type). */
  btreeType: number;
  /** Selectivity estimator name as pg_operator.oprrest ('eqsel', 'scalarltsel', ...), for the planner. */
  oprrest: string;
  oprjoin: string;
}

/** One aggregate (pg_aggregate), keyed by its pg_proc.oid. */
export interface AggregateInfo {
  aggfnoid: number;
  /** Transition state type (pg_aggregate.aggtranstype); internal state may be any JS value. */
  aggtranstype: number;
  /** Initial state; a function so each group gets a fresh one. Null = SQL NULL (first non-null input becomes the state for strict transfns). */
  initValue: () => FmgrValue;
  /** Whether the transition function is strict: NULL inputs are skipped, and a NULL initial state takes the first input. */
  transStrict: boolean;
  /** argTypes (optional, additive): the aggregate's actual argument types, for polymorphic aggregates (array_agg, jsonb_agg). */
  trans: (state: FmgrValue, args: FmgrValue[], ctx: FunctionCallContext, argTypes?: readonly number[]) => FmgrValue;
  /** Final function (avg divides); absent: the state is the result. */
  final?: (state: FmgrValue, ctx: FunctionCallContext, argTypes?: readonly number[]) => FmgrValue;
  /** sortop for min/max (lets the planner use an index), 0 if none. */
  aggsortop: number;
}

/** One cast (pg_cast). */
export interface CastInfo {
  castsource: number;
  casttarget: number;
  /** The function, 0 for binary-coercible (castmethod 'b') or through I/O ('i'). */
  castfunc: number;
  /** 'e' explicit only, 'a' in assignment too, 'i' implicitly too. */
  castcontext: 'e' | 'a' | 'i';
  castmethod: 'f' | 'b' | 'i';
}
