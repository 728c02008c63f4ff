/*
 * The backend status array (backend_status.ts): slots written by their
 * owner and copied by readers, query text cut at a character boundary,
 * state changes stamping state_change, cleared slots not listed.
 */
import { describe, expect, it } from 'vitest';
import { Shmem, ShmemSizer } from './shmem.ts';
import { BackendState, BackendStatus, backendStatusShmemInit, backendStatusShmemSize, readBackendStatuses, TRACK_ACTIVITY_QUERY_SIZE } from './backend_status.ts';

function segment(): Shmem {
  const sizer = new ShmemSizer();
  backendStatusShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  backendStatusShmemInit(shmem);
  return shmem;
}

describe('backend status', () => {
  it('lists started slots with their state, query and times; cleared ones vanish', () => {
    const shmem = segment();
    const a = new BackendStatus(shmem, 3);
    const b = new BackendStatus(shmem, 7);
    expect(readBackendStatuses(shmem)).toEqual([]);
    a.reportBackendStart('client backend', 10, 'psql', 1000n);
    b.reportBackendStart('client backend', 10, '', 1001n);
    a.reportActivity(BackendState.Running, 'SELECT 1', 2000n);
    a.reportXactStart(1999n);
    const [ra, rb] = readBackendStatuses(shmem);
    expect(ra).toEqual({
      procno: 3, state: 'active', backendType: 'client backend', usesysid: 10, applicationName: 'psql',
      backendStart: 1000n, xactStart: 1999n, queryStart: 2000n, stateChange: 2000n, query: 'SELECT 1',
    });
    expect([rb.procno, rb.state, rb.query, rb.queryStart, rb.stateChange]).toEqual([7, 'idle', '', null, 1001n]);

    // Going idle keeps the last query and its start; only the state and state_change move.
    a.reportActivity(BackendState.IdleInTransaction, null, 3000n);
    a.reportActivity(BackendState.IdleInTransaction, null, 3500n);
    const ra2 = readBackendStatuses(shmem)[0];
    expect([ra2.state, ra2.query, ra2.queryStart, ra2.stateChange]).toEqual(['idle in transaction', 'SELECT 1', 2000n, 3000n]);

    b.clear();
    expect(readBackendStatuses(shmem).map((r) => r.procno)).toEqual([3]);
    // A cleared slot takes no reports until it is started again.
    b.reportActivity(BackendState.Running, 'SELECT 2', 4000n);
    expect(readBackendStatuses(shmem).map((r) => r.procno)).toEqual([3]);
  });

  it('cuts the query text at track_activity_query_size, never inside a character', () => {
    const shmem = segment();
    const a = new BackendStatus(shmem, 0);
    a.reportBackendStart('client backend', 10, '', 1n);
    const q = `SELECT '${'é'.repeat(TRACK_ACTIVITY_QUERY_SIZE)}'`;
    a.reportActivity(BackendState.Running, q, 2n);
    const got = readBackendStatuses(shmem)[0].query;
    expect(new TextEncoder().encode(got).length).toBeLessThanOrEqual(TRACK_ACTIVITY_QUERY_SIZE);
    expect(q.startsWith(got)).toBe(true);
    expect(got.length).toBe(8 + Math.floor((TRACK_ACTIVITY_QUERY_SIZE - 8) / 2));
  });
});
