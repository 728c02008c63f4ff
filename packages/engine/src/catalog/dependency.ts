/*
 * dependency.ts — pg_depend and DROP (PostgreSQL's catalog/dependency.c,
 * pg_depend.c and objectaddress.c's getObjectDescription).
 *
 * Exports:
 *   ObjectAddress, DependencyType ('n' normal, 'a' auto, 'i' internal), DropBehavior
 *   relationAddress(oid)
 *   recordDependencyOn(cat, depender, referenced, type)
 *   recordDependencies(cat, deps: DependencySpec[])   several at once (one insert)
 *   deleteDependencyRecordsFor(cat, object)
 *   performDeletion(cat, objects, behavior, notice)
 *   getObjectDescription(cat, object)   "table t", "view s.v", "column a of table t", ...
 *   getOwnedSequence(cat, relid, attnum)
 *
 * performDeletion follows PostgreSQL's algorithm:
 *   1. findDependentObjects walks pg_depend from each object to what depends
 *      on it, depth first, and lists every object to delete so that
 *      dependents come before what they depend on. An object that is an
 *      internal part of another (a view's rule, a constraint's index, a
 *      TOAST table) is replaced by its owner: dropping the owner drops it.
 *      Asked to drop such a part directly, it refuses (2BP01, "cannot drop
 *      index t_pkey because constraint t_pkey on table t requires it").
 *   2. reportDependentObjects: objects reached only through auto or
 *      internal dependencies go silently. Others stop a RESTRICT drop
 *      (2BP01 with one DETAIL line per object, "view v depends on table t")
 *      or are listed in a NOTICE for CASCADE ("drop cascades to view v", or
 *      "drop cascades to N other objects" with the lines in DETAIL). The
 *      lines are in PostgreSQL's order: the reverse of the deletion order.
 *   3. Each object is deleted in order (doDeletion), with its own pg_depend
 *      rows, and a CommandCounterIncrement after each so the next sees it gone.
 *
 * Objects with OIDs below FirstUnpinnedObjectId (12000), except the public
 * schema, are pinned: nothing records a dependency on them and they cannot
 * be dropped (PostgreSQL's IsPinnedObject).
 */

import { PgError } from '../utils/errors.ts';
import type { TupleValue } from '../access/common/heaptuple.ts';
import type { RelKind } from '../nodes/parsenodes.ts';
import { lookupKeyword } from '../parser/kwlist.ts';
import type { Catalog } from './catalog.ts';
import { CATALOG_SQLSTATE } from './catalog.ts';
import {
  Anum_pg_attrdef, Anum_pg_class, Anum_pg_constraint, Anum_pg_depend, Anum_pg_rewrite, AttrDefaultRelationId, ConstraintRelationId,
  DependRelationId, NamespaceRelationId, PG_PUBLIC_NAMESPACE, RelationRelationId, RewriteRelationId, TypeRelationId,
} from './schemapg.ts';
import { markColumnDropped, removeAttrDefault, removeNamespace, removeRelationRows, removeRewriteRule, setClassFlags } from './heap.ts';

export interface ObjectAddress {
  classId: number;
  objectId: number;
  objectSubId: number;
}

export type DependencyType = 'n' | 'a' | 'i';
/** Receives the CASCADE NOTICE as a PgError of severity NOTICE (message and detail). */
export type NoticeFn = (msg: PgError) => void;
export type DropBehavior = 'DROP_RESTRICT' | 'DROP_CASCADE';

/** FirstUnpinnedObjectId: objects made by initdb's bootstrap are pinned. */
const FirstUnpinnedObjectId = 12000;

const D = Anum_pg_depend;

export const relationAddress = (oid: number): ObjectAddress => ({ classId: RelationRelationId, objectId: oid, objectSubId: 0 });

function isPinned(obj: ObjectAddress): boolean {
  if (obj.objectId >= FirstUnpinnedObjectId) return false;
  return !(obj.classId === NamespaceRelationId && obj.objectId === PG_PUBLIC_NAMESPACE);
}

/** recordDependencyOn: a pg_depend row (none for a pinned referenced object). */
export function recordDependencyOn(cat: Catalog, depender: ObjectAddress, referenced: ObjectAddress, type: DependencyType): void {
  if (isPinned(referenced)) return;
  cat.heaps.insert(DependRelationId, [
    depender.classId, depender.objectId, depender.objectSubId,
    referenced.classId, referenced.objectId, referenced.objectSubId, type,
  ]);
}

/** One dependency for recordDependencies. */
export interface DependencySpec {
  depender: ObjectAddress;
  referenced: ObjectAddress;
  type: DependencyType;
}

/** recordMultipleDependencies: several pg_depend rows in one insert (pinned referenced objects are skipped). */
export function recordDependencies(cat: Catalog, deps: readonly DependencySpec[]): void {
  const rows: TupleValue[][] = [];
  for (const { depender, referenced, type } of deps) {
    if (isPinned(referenced)) continue;
    rows.push([depender.classId, depender.objectId, depender.objectSubId, referenced.classId, referenced.objectId, referenced.objectSubId, type]);
  }
  cat.heaps.insertMany(DependRelationId, rows);
}

/** Deletes the pg_depend rows of `object` as depender (only the column's rows for a column). */
export function deleteDependencyRecordsFor(cat: Catalog, object: ObjectAddress): void {
  for (const row of cat.heaps.findAll(DependRelationId, (v) =>
    v[D.classid] === object.classId && v[D.objid] === object.objectId && (object.objectSubId === 0 || v[D.objsubid] === object.objectSubId))) {
    cat.heaps.delete(DependRelationId, row.tid);
  }
}

interface DependRow {
  depender: ObjectAddress;
  referenced: ObjectAddress;
  deptype: string;
}

/** pg_depend, read once per performDeletion (it is small and the walk reads it many times). */
function loadDepend(cat: Catalog): DependRow[] {
  const rows: DependRow[] = [];
  cat.heaps.scan(DependRelationId, (v) => {
    rows.push({
      depender: { classId: v[D.classid] as number, objectId: v[D.objid] as number, objectSubId: v[D.objsubid] as number },
      referenced: { classId: v[D.refclassid] as number, objectId: v[D.refobjid] as number, objectSubId: v[D.refobjsubid] as number },
      deptype: v[D.deptype] as string,
    });
  });
  return rows;
}

const DEPFLAG_ORIGINAL = 1;
const DEPFLAG_NORMAL = 2;
const DEPFLAG_AUTO = 4;
const DEPFLAG_INTERNAL = 8;

interface Target {
  obj: ObjectAddress;
  flags: number;
  /** The object whose deletion made this one go (for "x depends on y"). */
  dependee: ObjectAddress | null;
}

const sameObject = (a: ObjectAddress, b: ObjectAddress): boolean =>
  a.classId === b.classId && a.objectId === b.objectId && a.objectSubId === b.objectSubId;

/** Whether deleting `whole` deletes `part` (the same object, or a column of a relation being dropped). */
const covers = (whole: ObjectAddress, part: ObjectAddress): boolean =>
  whole.classId === part.classId && whole.objectId === part.objectId && (whole.objectSubId === 0 || whole.objectSubId === part.objectSubId);

function flagsOf(deptype: string): number {
  return deptype === 'n' ? DEPFLAG_NORMAL : deptype === 'a' ? DEPFLAG_AUTO : DEPFLAG_INTERNAL;
}

/** Step 1: the objects to delete, dependents first. */
function findDependentObjects(cat: Catalog, depend: readonly DependRow[], originals: readonly ObjectAddress[]): Target[] {
  const targets: Target[] = [];
  const stack: ObjectAddress[] = [];
  const visit = (obj: ObjectAddress, flags: number, dependee: ObjectAddress | null): void => {
    const known = targets.find((t) => covers(t.obj, obj));
    if (known !== undefined) {
      known.flags |= flags;
      return;
    }
    if (stack.some((s) => covers(s, obj))) return;
    // Is this object an internal part of another? Then that owner is what goes.
    for (const d of depend) {
      if (d.deptype !== 'i' || !sameObject(d.depender, obj)) continue;
      const owner = d.referenced;
      if (stack.some((s) => covers(s, owner))) continue;
      if ((flags & DEPFLAG_ORIGINAL) !== 0) {
        const what = getObjectDescription(cat, obj);
        const ownerDesc = getObjectDescription(cat, owner);
        throw new PgError(CATALOG_SQLSTATE.dependent_objects_still_exist, `cannot drop ${what} because ${ownerDesc} requires it`, {
          hint: `You can drop ${ownerDesc} instead.`,
        });
      }
      visit(owner, flags, dependee);
      return;
    }
    stack.push(obj);
    const dependents: { obj: ObjectAddress; flags: number }[] = [];
    for (const d of depend) {
      const r = d.referenced;
      if (r.classId !== obj.classId || r.objectId !== obj.objectId) continue;
      if (obj.objectSubId !== 0 && r.objectSubId !== obj.objectSubId) continue;
      dependents.push({ obj: d.depender, flags: flagsOf(d.deptype) });
    }
    // PostgreSQL's object_address_comparator: newest (highest OID) first, so the order is deterministic.
    dependents.sort((a, b) => b.obj.objectId - a.obj.objectId || a.obj.classId - b.obj.classId || a.obj.objectSubId - b.obj.objectSubId);
    for (const d of dependents) visit(d.obj, d.flags, obj);
    stack.pop();
    if (!targets.some((t) => covers(t.obj, obj))) targets.push({ obj, flags, dependee });
  };
  for (const o of originals) {
    if (isPinned(o)) {
      throw new PgError(CATALOG_SQLSTATE.dependent_objects_still_exist, `cannot drop ${getObjectDescription(cat, o)} because it is required by the database system`);
    }
    visit(o, DEPFLAG_ORIGINAL, null);
  }
  return targets;
}

/** Step 2. */
function reportDependentObjects(cat: Catalog, targets: readonly Target[], originals: readonly ObjectAddress[], behavior: DropBehavior, notice: NoticeFn): void {
  const lines: string[] = [];
  let restrictViolated = false;
  for (let i = targets.length - 1; i >= 0; i--) {
    const t = targets[i];
    if ((t.flags & DEPFLAG_ORIGINAL) !== 0) continue;
    if ((t.flags & (DEPFLAG_AUTO | DEPFLAG_INTERNAL)) !== 0) continue;
    const desc = getObjectDescription(cat, t.obj);
    if (behavior === 'DROP_RESTRICT') {
      restrictViolated = true;
      lines.push(`${desc} depends on ${t.dependee !== null ? getObjectDescription(cat, t.dependee) : '?'}`);
    } else {
      lines.push(`drop cascades to ${desc}`);
    }
  }
  if (restrictViolated) {
    const message = originals.length === 1
      ? `cannot drop ${getObjectDescription(cat, originals[0])} because other objects depend on it`
      : 'cannot drop desired object(s) because other objects depend on them';
    throw new PgError(CATALOG_SQLSTATE.dependent_objects_still_exist, message, {
      detail: lines.join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  if (lines.length === 1) notice(new PgError('00000', lines[0], { severity: 'NOTICE' }));
  else if (lines.length > 1) notice(new PgError('00000', `drop cascades to ${lines.length} other objects`, { severity: 'NOTICE', detail: lines.join('\n') }));
}

/** Step 3 for one object (doDeletion + deleteOneObject). */
function deleteOneObject(cat: Catalog, obj: ObjectAddress): void {
  switch (obj.classId) {
    case RelationRelationId:
      if (obj.objectSubId === 0) removeRelationRows(cat, obj.objectId);
      else markColumnDropped(cat, obj.objectId, obj.objectSubId);
      break;
    case ConstraintRelationId: {
      const C = Anum_pg_constraint;
      const row = cat.heaps.findOne(ConstraintRelationId, (v) => v[C.oid] === obj.objectId);
      if (row !== null) {
        cat.heaps.delete(ConstraintRelationId, row.tid);
        const relid = row.values[C.conrelid] as number;
        if (row.values[C.contype] === 'c') setClassFlags(cat, relid, { relchecksDelta: -1 });
        cat.invalidate({ kind: 'relcache', relId: relid });
        const confrelid = row.values[C.confrelid] as number;
        if (confrelid !== 0) cat.invalidate({ kind: 'relcache', relId: confrelid });
      }
      break;
    }
    case AttrDefaultRelationId:
      removeAttrDefault(cat, obj.objectId);
      break;
    case RewriteRelationId:
      removeRewriteRule(cat, obj.objectId);
      break;
    case NamespaceRelationId:
      removeNamespace(cat, obj.objectId);
      break;
    default:
      throw new PgError('0A000', `dropping ${getObjectDescription(cat, obj)} is not supported`);
  }
  deleteDependencyRecordsFor(cat, obj);
  cat.commandCounterIncrement();
}

/**
 * performDeletion / performMultipleDeletions: drops the objects and, per
 * `behavior`, what depends on them. `notice` receives the CASCADE NOTICE.
 */
export function performDeletion(cat: Catalog, objects: readonly ObjectAddress[], behavior: DropBehavior, notice: NoticeFn): void {
  const depend = loadDepend(cat);
  const targets = findDependentObjects(cat, depend, objects);
  reportDependentObjects(cat, targets, objects, behavior, notice);
  for (const t of targets) deleteOneObject(cat, t.obj);
}

/** The sequence a column owns (serial: 'a', identity: 'i'), 0 if none. */
export function getOwnedSequence(cat: Catalog, relid: number, attnum: number): number {
  // Candidates first: a scan's callback must not start another scan (outside startStatement each is a statement).
  const owned = cat.heaps.findAll(DependRelationId, (v) =>
    v[D.refclassid] === RelationRelationId && v[D.refobjid] === relid && v[D.refobjsubid] === attnum &&
    v[D.classid] === RelationRelationId && (v[D.deptype] === 'a' || v[D.deptype] === 'i'));
  for (const row of owned) {
    const oid = row.values[D.objid] as number;
    if (cat.relcache.classRow(oid)?.[Anum_pg_class.relkind] === 'S') return oid;
  }
  return 0;
}

// ---------------------------------------------------------------- descriptions

/** quote_identifier: double quotes unless the name is a plain lower-case identifier and not a reserved keyword. */
export function quoteIdentifier(name: string): string {
  const plain = /^[a-z_][a-z0-9_$]*$/.test(name) && (lookupKeyword(name)?.category ?? 'U') === 'U';
  return plain ? name : `"${name.replace(/"/g, '""')}"`;
}

const RELKIND_NAMES: Partial<Record<RelKind, string>> = {
  r: 'table', i: 'index', S: 'sequence', v: 'view', m: 'materialized view', t: 'toast table', c: 'composite type', f: 'foreign table', p: 'table',
};

/** "t", or "s.t" when t is not found by its bare name along search_path. */
function relationName(cat: Catalog, relid: number): { kind: string; name: string } {
  const row = cat.relcache.classRow(relid);
  if (row === null) return { kind: 'relation', name: String(relid) };
  const relname = row[Anum_pg_class.relname] as string;
  const nsp = row[Anum_pg_class.relnamespace] as number;
  const kind = RELKIND_NAMES[row[Anum_pg_class.relkind] as RelKind] ?? 'relation';
  const visible = cat.searchPath().includes(nsp) && cat.relnameGetRelid(null, relname, true) === relid;
  const name = visible ? quoteIdentifier(relname) : `${quoteIdentifier(cat.namespaceName(nsp) ?? '?')}.${quoteIdentifier(relname)}`;
  return { kind, name };
}

function columnName(cat: Catalog, relid: number, attnum: number): string {
  return cat.attributeRows(relid).find((a) => a.attnum === attnum)?.attname ?? String(attnum);
}

/** getObjectDescription: how PostgreSQL names an object in messages (only relation names are quoted and qualified as needed). */
export function getObjectDescription(cat: Catalog, obj: ObjectAddress): string {
  switch (obj.classId) {
    case RelationRelationId: {
      const r = relationName(cat, obj.objectId);
      if (obj.objectSubId !== 0) return `column ${columnName(cat, obj.objectId, obj.objectSubId)} of ${r.kind} ${r.name}`;
      return `${r.kind} ${r.name}`;
    }
    case ConstraintRelationId: {
      const C = Anum_pg_constraint;
      const row = cat.heaps.findOne(ConstraintRelationId, (v) => v[C.oid] === obj.objectId);
      if (row === null) return `constraint ${obj.objectId}`;
      const r = relationName(cat, row.values[C.conrelid] as number);
      return `constraint ${row.values[C.conname] as string} on ${r.kind} ${r.name}`;
    }
    case AttrDefaultRelationId: {
      const A = Anum_pg_attrdef;
      const row = cat.heaps.findOne(AttrDefaultRelationId, (v) => v[A.oid] === obj.objectId);
      if (row === null) return `default value ${obj.objectId}`;
      const relid = row.values[A.adrelid] as number;
      const r = relationName(cat, relid);
      return `default value for column ${columnName(cat, relid, row.values[A.adnum] as number)} of ${r.kind} ${r.name}`;
    }
    case RewriteRelationId: {
      const W = Anum_pg_rewrite;
      const row = cat.heaps.findOne(RewriteRelationId, (v) => v[W.oid] === obj.objectId);
      if (row === null) return `rule ${obj.objectId}`;
      const r = relationName(cat, row.values[W.ev_class] as number);
      return `rule ${row.values[W.rulename] as string} on ${r.kind} ${r.name}`;
    }
    case NamespaceRelationId:
      return `schema ${cat.namespaceName(obj.objectId) ?? String(obj.objectId)}`;
    case TypeRelationId:
      return `type ${obj.objectId}`;
    default:
      return `object ${obj.classId}/${obj.objectId}/${obj.objectSubId}`;
  }
}
