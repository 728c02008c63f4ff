/*
 * predicate_conflict.ts — the rw-conflict graph of serializable snapshot
 * isolation: recording an edge reader -> writer and deciding, as it is
 * recorded, whether it completes a dangerous structure (PostgreSQL's
 * predicate.c: RWConflictExists, FlagRWConflict, SetPossibleUnsafeConflict,
 * OnConflict_CheckForSerializationFailure).
 *
 * Exports: serializationFailure, rwConflictExists, flagRWConflict,
 * setPossibleUnsafeConflict, releasePossibleUnsafe.
 *
 * Every function runs with the predicate lock table's LWLock held
 * (README.md, "Serializable snapshot isolation", rule 1) and takes `me`,
 * the calling backend's SERIALIZABLEXACT (MySerializableXact), because who
 * fails depends on who is asking: the writer fails at once when it is me,
 * a prepared writer makes me (the reader) fail, any other writer is doomed
 * and fails at its next check.
 *
 * An edge touching a summarized transaction has no record: an edge from
 * the dummy OldCommittedSxact sets the writer's SUMMARY_CONFLICT_IN, an
 * edge to it the reader's SUMMARY_CONFLICT_OUT; the checks below treat
 * those flags as edges to or from a transaction that committed at an
 * unknown time.
 */

import { Assert, PgError, SQLSTATE } from '../../utils/errors.ts';
import {
  CF_I_NEXT, CF_IN, CF_O_NEXT, CF_OUT, PredShared, SX_IN_HEAD, SX_OUT_HEAD, SX_TOPXID, SX_UNSAFE_IN_HEAD, SX_UNSAFE_OUT_HEAD,
  SXACT_FLAG_COMMITTED, SXACT_FLAG_CONFLICT_OUT, SXACT_FLAG_DOOMED, SXACT_FLAG_PREPARED, SXACT_FLAG_READ_ONLY,
  SXACT_FLAG_SUMMARY_CONFLICT_IN, SXACT_FLAG_SUMMARY_CONFLICT_OUT, SXF_COMMIT_SEQ, SXF_LAST_COMMIT_BEFORE_SNAPSHOT,
  SXF_PREPARE_SEQ,
} from './predicate_internals.ts';

const SERIALIZATION_FAILURE = 'could not serialize access due to read/write dependencies among transactions';
const RETRY_HINT = 'The transaction might succeed if retried.';

/** 40001 with PostgreSQL's message, "Reason code: ..." detail and hint. */
export function serializationFailure(reason: string): PgError {
  return new PgError(SQLSTATE.serialization_failure, SERIALIZATION_FAILURE, { detail: `Reason code: ${reason}`, hint: RETRY_HINT });
}

/** RWConflictExists: reader -> writer is already recorded (and neither is doomed). */
export function rwConflictExists(s: PredShared, reader: number, writer: number): boolean {
  if (((s.flags(reader) | s.flags(writer)) & SXACT_FLAG_DOOMED) !== 0) return false;
  for (let c = s.sget(reader, SX_OUT_HEAD); c !== 0; c = s.cget(c, CF_O_NEXT)) if (s.cget(c, CF_IN) === writer) return true;
  return false;
}

/** FlagRWConflict: check for a dangerous structure first, then record reader -> writer (or the summary flag). */
export function flagRWConflict(s: PredShared, reader: number, writer: number, me: number): void {
  Assert(reader !== writer, 'a transaction has no rw-conflict with itself');
  onConflictCheckForSerializationFailure(s, reader, writer, me);
  if (reader === s.oldCommitted) s.orFlags(writer, SXACT_FLAG_SUMMARY_CONFLICT_IN);
  else if (writer === s.oldCommitted) s.orFlags(reader, SXACT_FLAG_SUMMARY_CONFLICT_OUT);
  else s.linkConflict(reader, writer, SX_OUT_HEAD, SX_IN_HEAD, 'not enough elements in RWConflictPool to record a read/write conflict');
}

/** SetPossibleUnsafeConflict: read-only `ro` may be hurt by read-write `rw`. */
export function setPossibleUnsafeConflict(s: PredShared, ro: number, rw: number): void {
  s.linkConflict(rw, ro, SX_UNSAFE_OUT_HEAD, SX_UNSAFE_IN_HEAD, 'not enough elements in RWConflictPool to record a potential read/write conflict');
}

/** Drops every possible-unsafe edge into read-only `ro`. */
export function releasePossibleUnsafe(s: PredShared, ro: number): void {
  while (s.sget(ro, SX_UNSAFE_IN_HEAD) !== 0) s.releaseConflict(s.sget(ro, SX_UNSAFE_IN_HEAD), true);
}

/**
 * OnConflict_CheckForSerializationFailure: with the new edge
 * reader -> writer, is there a pivot with an out-conflict to a
 * transaction that committed first? If so somebody must fail: me now if I
 * am the writer, else the writer (doomed; it fails at its next check or
 * commit), or me as the reader if the writer already prepared.
 */
function onConflictCheckForSerializationFailure(s: PredShared, reader: number, writer: number, me: number): void {
  const rf = s.flags(reader);
  const wf = s.flags(writer);
  // The dummy stands for transactions that committed at unknown times: never assume one committed before T2.
  const readerCommitTimeKnown = reader !== s.oldCommitted;
  let failure = false;
  // reader -> writer -> T2, writer committed with a conflict out to a transaction that committed before it.
  if ((wf & SXACT_FLAG_COMMITTED) !== 0 && (wf & (SXACT_FLAG_CONFLICT_OUT | SXACT_FLAG_SUMMARY_CONFLICT_OUT)) !== 0) failure = true;
  // reader -> writer (pivot) -> T2, T2 committed first (a summarized T2 did).
  if (!failure && (wf & SXACT_FLAG_SUMMARY_CONFLICT_OUT) !== 0) {
    failure = true;
  } else if (!failure) {
    for (let c = s.sget(writer, SX_OUT_HEAD); c !== 0 && !failure; c = s.cget(c, CF_O_NEXT)) {
      const t2 = s.cget(c, CF_IN);
      const t2f = s.flags(t2);
      const t2prep = s.sfget(t2, SXF_PREPARE_SEQ);
      if (
        (t2f & SXACT_FLAG_PREPARED) !== 0 &&
        ((rf & SXACT_FLAG_COMMITTED) === 0 || !readerCommitTimeKnown || t2prep <= s.sfget(reader, SXF_COMMIT_SEQ)) &&
        ((wf & SXACT_FLAG_COMMITTED) === 0 || t2prep <= s.sfget(writer, SXF_COMMIT_SEQ)) &&
        ((rf & SXACT_FLAG_READ_ONLY) === 0 || t2prep <= s.sfget(reader, SXF_LAST_COMMIT_BEFORE_SNAPSHOT))
      ) {
        failure = true;
      }
    }
  }
  // T0 -> reader (pivot) -> writer, writer prepared or committed first.
  if (!failure && (wf & SXACT_FLAG_PREPARED) !== 0 && (rf & SXACT_FLAG_READ_ONLY) === 0) {
    if ((rf & SXACT_FLAG_SUMMARY_CONFLICT_IN) !== 0) {
      failure = true;
    } else {
      const wprep = s.sfget(writer, SXF_PREPARE_SEQ);
      for (let c = s.sget(reader, SX_IN_HEAD); c !== 0 && !failure; c = s.cget(c, CF_I_NEXT)) {
        const t0 = s.cget(c, CF_OUT);
        const t0f = s.flags(t0);
        if (
          (t0f & SXACT_FLAG_DOOMED) === 0 &&
          ((t0f & SXACT_FLAG_COMMITTED) === 0 || s.sfget(t0, SXF_COMMIT_SEQ) >= wprep) &&
          ((t0f & SXACT_FLAG_READ_ONLY) === 0 || s.sfget(t0, SXF_LAST_COMMIT_BEFORE_SNAPSHOT) >= wprep)
        ) {
          failure = true;
        }
      }
    }
  }
  if (!failure) return;
  if (writer === me) throw serializationFailure('Canceled on identification as a pivot, during write.');
  if ((wf & SXACT_FLAG_PREPARED) !== 0) {
    Assert(reader === me, 'a prepared writer is failed only by its reader');
    throw serializationFailure(`Canceled on conflict out to pivot ${s.sget(writer, SX_TOPXID)}, during read.`);
  }
  s.orFlags(writer, SXACT_FLAG_DOOMED);
}
