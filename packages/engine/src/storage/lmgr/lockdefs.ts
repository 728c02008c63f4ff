/*
 * lockdefs.ts — what a heavyweight lock is about and how its modes conflict
 * (PostgreSQL's lock.h, lockdefs.h and the conflict table of lock.c).
 *
 * Exports: LockTagType, LockMethodId, LockMode, LockTag (LOCKTAG) and its
 *          setters (SET_LOCKTAG_*), LOCK_CONFLICTS, lockModeName,
 *          lockbit, describeLockTag, lockTagTypeName, lockTagHashCode,
 *          MAX_LOCKMODES.
 *
 * A LOCKTAG names the locked object in four 32-bit fields whose meaning
 * depends on the tag type, plus the lock method (table locks or advisory
 * "user" locks, which differ only in how they are released):
 *
 *   type                 field1     field2        field3       field4
 *   RELATION             dbOid      relOid        -            -
 *   PAGE                 dbOid      relOid        block        -
 *   TUPLE                dbOid      relOid        block        offset
 *   TRANSACTION          xid        -             -            -
 *   VIRTUALTRANSACTION   backendId  localXid      -            -
 *   OBJECT               dbOid      classOid      objOid       objSubId
 *   ADVISORY             dbOid      key high/key1 key low/key2 1 = int8 key, 2 = two int4 keys
 *
 * Unused fields are zero, so two tags are equal when all six words are.
 */

/** LockTagType: the numbering of PostgreSQL's LockTagType enum. */
export const enum LockTagType {
  Relation = 0,
  RelationExtend = 1,
  DatabaseFrozenIds = 2,
  Page = 3,
  Tuple = 4,
  Transaction = 5,
  VirtualTransaction = 6,
  SpeculativeToken = 7,
  Object = 8,
  Userlock = 9,
  Advisory = 10,
}

/** Lock methods: DEFAULT_LOCKMETHOD (table, row, transaction locks) and USER_LOCKMETHOD (advisory). */
export const enum LockMethodId {
  Default = 1,
  User = 2,
}

/**
 * The eight lock modes, numbered as PostgreSQL numbers them (NoLock = 0), so
 * a set of modes is a bitmask with bit `mode` (LOCKBIT_ON).
 */
export const enum LockMode {
  NoLock = 0,
  AccessShare = 1,
  RowShare = 2,
  RowExclusive = 3,
  ShareUpdateExclusive = 4,
  Share = 5,
  ShareRowExclusive = 6,
  Exclusive = 7,
  AccessExclusive = 8,
}

/** Highest mode number + 1 (MAX_LOCKMODES is 10 in PostgreSQL, for room; 9 is all we use). */
export const MAX_LOCKMODES = 9;

export function lockbit(mode: number): number {
  return 1 << mode;
}

const B = lockbit;

/**
 * LockConflicts: conflictTab[m] is the set of modes that a request in mode m
 * must not be granted alongside. Symmetric, as the documentation's table.
 */
export const LOCK_CONFLICTS: readonly number[] = [
  0,
  /* AccessShare */ B(LockMode.AccessExclusive),
  /* RowShare */ B(LockMode.Exclusive) | B(LockMode.AccessExclusive),
  /* RowExclusive */ B(LockMode.Share) | B(LockMode.ShareRowExclusive) | B(LockMode.Exclusive) | B(LockMode.AccessExclusive),
  /* ShareUpdateExclusive */ B(LockMode.ShareUpdateExclusive) |
    B(LockMode.Share) |
    B(LockMode.ShareRowExclusive) |
    B(LockMode.Exclusive) |
    B(LockMode.AccessExclusive),
  /* Share */ B(LockMode.RowExclusive) |
    B(LockMode.ShareUpdateExclusive) |
    B(LockMode.ShareRowExclusive) |
    B(LockMode.Exclusive) |
    B(LockMode.AccessExclusive),
  /* ShareRowExclusive */ B(LockMode.RowExclusive) |
    B(LockMode.ShareUpdateExclusive) |
    B(LockMode.Share) |
    B(LockMode.ShareRowExclusive) |
    B(LockMode.Exclusive) |
    B(LockMode.AccessExclusive),
  /* Exclusive */ B(LockMode.RowShare) |
    B(LockMode.RowExclusive) |
    B(LockMode.ShareUpdateExclusive) |
    B(LockMode.Share) |
    B(LockMode.ShareRowExclusive) |
    B(LockMode.Exclusive) |
    B(LockMode.AccessExclusive),
  /* AccessExclusive */ B(LockMode.AccessShare) |
    B(LockMode.RowShare) |
    B(LockMode.RowExclusive) |
    B(LockMode.ShareUpdateExclusive) |
    B(LockMode.Share) |
    B(LockMode.ShareRowExclusive) |
    B(LockMode.Exclusive) |
    B(LockMode.AccessExclusive),
];

const LOCK_MODE_NAMES = [
  'INVALID',
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];

/** GetLockmodeName: "AccessShareLock", ... as pg_locks.mode and error messages print them. */
export function lockModeName(mode: number): string {
  return LOCK_MODE_NAMES[mode] ?? 'INVALID';
}

/** The mode named "AccessShareLock" .. "AccessExclusiveLock" (a range table entry's rellockmode). */
export function lockModeFromName(name: string): LockMode {
  const m = LOCK_MODE_NAMES.indexOf(name);
  if (m <= 0) throw new Error(`unknown lock mode name ${name}`);
  return m as LockMode;
}

/** pg_locks.locktype for each LockTagType (LockTagTypeNames). */
const LOCK_TAG_TYPE_NAMES = [
  'relation',
  'extend',
  'frozenid',
  'page',
  'tuple',
  'transactionid',
  'virtualxid',
  'spectoken',
  'object',
  'userlock',
  'advisory',
];

export function lockTagTypeName(type: number): string {
  return LOCK_TAG_TYPE_NAMES[type] ?? 'unknown';
}

/**
 * LOCKTAG. Callers keep one and refill it with the setters (no allocation
 * per lock request); the lock manager copies the words it keeps.
 */
export class LockTag {
  type: LockTagType = LockTagType.Relation;
  method: LockMethodId = LockMethodId.Default;
  field1 = 0;
  field2 = 0;
  field3 = 0;
  field4 = 0;

  set(type: LockTagType, method: LockMethodId, f1: number, f2: number, f3: number, f4: number): this {
    this.type = type;
    this.method = method;
    this.field1 = f1 >>> 0;
    this.field2 = f2 >>> 0;
    this.field3 = f3 >>> 0;
    this.field4 = f4 >>> 0;
    return this;
  }

  /** SET_LOCKTAG_RELATION */
  setRelation(dbOid: number, relOid: number): this {
    return this.set(LockTagType.Relation, LockMethodId.Default, dbOid, relOid, 0, 0);
  }

  /** SET_LOCKTAG_PAGE */
  setPage(dbOid: number, relOid: number, block: number): this {
    return this.set(LockTagType.Page, LockMethodId.Default, dbOid, relOid, block, 0);
  }

  /** SET_LOCKTAG_TUPLE */
  setTuple(dbOid: number, relOid: number, block: number, offset: number): this {
    return this.set(LockTagType.Tuple, LockMethodId.Default, dbOid, relOid, block, offset);
  }

  /** SET_LOCKTAG_TRANSACTION */
  setTransaction(xid: number): this {
    return this.set(LockTagType.Transaction, LockMethodId.Default, xid, 0, 0, 0);
  }

  /**
   * SET_LOCKTAG_SPECULATIVE_INSERTION: one speculative insertion (INSERT ...
   * ON CONFLICT) of transaction `xid`, named by the inserter's token.
   */
  setSpeculativeInsertion(xid: number, token: number): this {
    return this.set(LockTagType.SpeculativeToken, LockMethodId.Default, xid, token, 0, 0);
  }

  /** SET_LOCKTAG_VIRTUALTRANSACTION: backend id (procno + 1) and local transaction id. */
  setVirtualTransaction(backendId: number, localXid: number): this {
    return this.set(LockTagType.VirtualTransaction, LockMethodId.Default, backendId, localXid, 0, 0);
  }

  /** SET_LOCKTAG_OBJECT */
  setObject(dbOid: number, classOid: number, objOid: number, objSubId: number): this {
    return this.set(LockTagType.Object, LockMethodId.Default, dbOid, classOid, objOid, objSubId);
  }

  /** SET_LOCKTAG_INT64 (pg_advisory_lock(bigint)): the key's high and low halves. */
  setAdvisoryInt64(dbOid: number, key: bigint): this {
    const k = BigInt.asUintN(64, key);
    return this.set(LockTagType.Advisory, LockMethodId.User, dbOid, Number(k >> 32n), Number(k & 0xffff_ffffn), 1);
  }

  /** SET_LOCKTAG_INT32 (pg_advisory_lock(int, int)). */
  setAdvisoryInt32(dbOid: number, key1: number, key2: number): this {
    return this.set(LockTagType.Advisory, LockMethodId.User, dbOid, key1, key2, 2);
  }

  copyFrom(o: LockTag): this {
    return this.set(o.type, o.method, o.field1, o.field2, o.field3, o.field4);
  }

  equals(o: LockTag): boolean {
    return (
      this.field1 === o.field1 &&
      this.field2 === o.field2 &&
      this.field3 === o.field3 &&
      this.field4 === o.field4 &&
      this.type === o.type &&
      this.method === o.method
    );
  }
}

/** The type and method share one word in shared memory. */
export function packTagType(type: number, method: number): number {
  return type | (method << 8);
}

/**
 * LockTagHashCode: mixes the tag's words (a Murmur-style finalizer) so that
 * neighbouring relation OIDs and blocks spread over partitions and buckets.
 */
export function lockTagHashCode(f1: number, f2: number, f3: number, f4: number, typeMethod: number): number {
  let h = Math.imul(f2 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ f1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ f3, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ f4 ^ (typeMethod << 24), 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * DescribeLockTag: the object as deadlock reports name it, e.g.
 * "relation 16384 of database 5", "transaction 456".
 */
export function describeLockTag(type: number, f1: number, f2: number, f3: number, f4: number): string {
  switch (type) {
    case LockTagType.Relation:
      return `relation ${f2} of database ${f1}`;
    case LockTagType.RelationExtend:
      return `extension of relation ${f2} of database ${f1}`;
    case LockTagType.DatabaseFrozenIds:
      return `pg_database.datfrozenxid of database ${f1}`;
    case LockTagType.Page:
      return `page ${f3} of relation ${f2} of database ${f1}`;
    case LockTagType.Tuple:
      return `tuple (${f3},${f4}) of relation ${f2} of database ${f1}`;
    case LockTagType.Transaction:
      return `transaction ${f1}`;
    case LockTagType.VirtualTransaction:
      return `virtual transaction ${f1 | 0}/${f2}`;
    case LockTagType.SpeculativeToken:
      return `speculative token ${f2} of transaction ${f1}`;
    case LockTagType.Object:
      return `object ${f3} of class ${f2} of database ${f1}`;
    case LockTagType.Userlock:
      return `user lock [${f1},${f2},${f3}]`;
    case LockTagType.Advisory:
      return `advisory lock [${f1},${f2},${f3},${f4}]`;
    default:
      return `unrecognized locktag type ${type}`;
  }
}
