/*
 * indexlist.ts — each table's open indexes (the relcache's rd_indexlist),
 * kept by the engine until the catalogs own the list, and changed the way
 * catalog rows are: a CREATE INDEX or DROP INDEX whose (sub)transaction
 * rolls back is undone.
 *
 * Exports: UndoLog, IndexLists.
 *
 * A table that forgot one of its indexes would stop maintaining it, and
 * the index would silently miss rows; one that remembered an index whose
 * file a rollback removed would fail every insert. Hence the undo log: each
 * change notes how to reverse itself, tagged with the SubTransactionId that
 * made it; a subtransaction's commit hands its notes to the parent, its
 * abort runs them newest first, and the top level's end runs or drops all.
 *
 * Lists are replaced, never changed in place, so a caller iterating one
 * (an inserter looping over the indexes of a row) is not disturbed.
 */

import type { ResourceCleanup } from '../transam/xact.ts';
import type { Relation } from '../heap/relation.ts';
import type { IndexRelation } from '../nbtree/nbtree.ts';

const NO_INDEXES: readonly IndexRelation[] = [];

/** Undo notes of the running (sub)transactions; a ResourceCleanup, registered with Xact. */
export class UndoLog implements ResourceCleanup {
  private readonly notes: { subid: number; undo: () => void }[] = [];

  constructor(private readonly currentSubid: () => number) {}

  /** Remembers how to reverse a change the current (sub)transaction made. */
  note(undo: () => void): void {
    this.notes.push({ subid: this.currentSubid(), undo });
  }

  atEOXact(isCommit: boolean): void {
    if (!isCommit) for (let i = this.notes.length - 1; i >= 0; i--) this.notes[i].undo();
    this.notes.length = 0;
  }

  atEOSubXact(isCommit: boolean, mySubid: number, parentSubid: number): void {
    const notes = this.notes;
    for (let i = notes.length - 1; i >= 0; i--) {
      if (notes[i].subid !== mySubid) continue;
      if (isCommit) {
        notes[i].subid = parentSubid;
      } else {
        notes[i].undo();
        notes.splice(i, 1);
      }
    }
  }
}

/** The open indexes of every table, by table OID, and the table of every index. */
export class IndexLists {
  private readonly byHeap = new Map<number, readonly IndexRelation[]>();
  private readonly heapOfIndex = new Map<number, Relation>();

  constructor(private readonly undo: UndoLog) {}

  /** The table's indexes, in the order they were added. */
  of(heapOid: number): readonly IndexRelation[] {
    return this.byHeap.get(heapOid) ?? NO_INDEXES;
  }

  /** The table an index was created or opened on. */
  heapOf(index: IndexRelation): Relation | undefined {
    return this.heapOfIndex.get(index.oid);
  }

  /** Adds (or, for the same OID, replaces) an index; `transactional` for CREATE INDEX, not for re-attaching. */
  attach(heapRel: Relation, index: IndexRelation, transactional: boolean): void {
    const heapOid = heapRel.oid;
    const before = this.of(heapOid);
    const prevHeap = this.heapOfIndex.get(index.oid);
    this.byHeap.set(heapOid, [...before.filter((ix) => ix.oid !== index.oid), index]);
    this.heapOfIndex.set(index.oid, heapRel);
    if (!transactional) return;
    this.undo.note(() => {
      this.byHeap.set(heapOid, before);
      if (prevHeap === undefined) this.heapOfIndex.delete(index.oid);
      else this.heapOfIndex.set(index.oid, prevHeap);
    });
  }

  /** Whether `indexOid` is in some table's list. */
  has(indexOid: number): boolean {
    return this.heapOfIndex.has(indexOid);
  }

  /** The OIDs of every listed index. */
  indexOids(): number[] {
    return [...this.heapOfIndex.keys()];
  }

  /**
   * Removes an index another backend dropped (its DROP committed, shared
   * invalidation told this backend): nothing to undo here.
   */
  forget(indexOid: number): void {
    const heapRel = this.heapOfIndex.get(indexOid);
    if (heapRel === undefined) return;
    this.byHeap.set(heapRel.oid, this.of(heapRel.oid).filter((ix) => ix.oid !== indexOid));
    this.heapOfIndex.delete(indexOid);
  }

  /** Removes an index from its table's list (DROP INDEX); undone if the transaction aborts. */
  detach(index: IndexRelation): void {
    const heapRel = this.heapOfIndex.get(index.oid);
    if (heapRel === undefined) return;
    const before = this.of(heapRel.oid);
    this.byHeap.set(heapRel.oid, before.filter((ix) => ix.oid !== index.oid));
    this.heapOfIndex.delete(index.oid);
    this.undo.note(() => {
      this.byHeap.set(heapRel.oid, before);
      this.heapOfIndex.set(index.oid, heapRel);
    });
  }
}
