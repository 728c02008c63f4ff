import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { PG_CONTROL_VERSION } from '../constants.ts';
import { PgError } from '../utils/errors.ts';
import {
  CONTROL_FILE_PATH,
  DB_IN_PRODUCTION,
  DB_SHUTDOWNED,
  PG_CONTROL_FILE_SIZE,
  type ControlFileData,
  dbStateName,
  decodeCheckPoint,
  encodeCheckPoint,
  newControlFile,
  readControlFile,
  writeControlFile,
} from './pg_control.ts';

function sample(): ControlFileData {
  return newControlFile(
    0x1234_5678_9abc_def0n,
    1024 * 1024,
    0x1000028,
    {
      redo: 0x1000028,
      thisTimeLineID: 1,
      prevTimeLineID: 1,
      fullPageWrites: true,
      nextXid: 2 * 4294967296 + 745,
      nextOid: 16384,
      oldestXid: 3,
      oldestXidDB: 1,
      oldestActiveXid: 700,
      time: 1_764_000_000,
    },
    1,
  );
}

function catchPgError(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected a PgError');
}

describe('pg_control', () => {
  it('round-trips through the file', () => {
    const dir = new MemoryDirectory();
    const cf = sample();
    cf.state = DB_IN_PRODUCTION;
    writeControlFile(dir, cf);
    expect(readControlFile(dir)).toEqual(cf);
    const f = dir.open(CONTROL_FILE_PATH);
    expect(f.getSize()).toBe(PG_CONTROL_FILE_SIZE);
    f.close();
    expect(dir.list('global')).toEqual(['pg_control']);
    expect(dbStateName(DB_SHUTDOWNED)).toBe('shut down');
  });

  it('round-trips a checkpoint, with a 64-bit nextXid', () => {
    const cp = sample().checkPointCopy;
    expect(decodeCheckPoint(encodeCheckPoint(cp))).toEqual(cp);
  });

  it('rejects a corrupt file with "incorrect checksum in control file", naming the file', () => {
    const dir = new MemoryDirectory();
    writeControlFile(dir, sample());
    const f = dir.open(CONTROL_FILE_PATH);
    f.write(new Uint8Array([0xff]), { at: 40 });
    f.close();
    const e = catchPgError(() => readControlFile(dir));
    expect(e.message).toBe('incorrect checksum in control file');
    expect(e.code).toBe('XX001');
    expect(e.severity).toBe('FATAL');
    expect(e.where).toBe('control file "global/pg_control"');
  });

  it('rejects another format version with PostgreSQL\'s detail', () => {
    const dir = new MemoryDirectory();
    writeControlFile(dir, sample());
    const f = dir.open(CONTROL_FILE_PATH);
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, 1201, true);
    f.write(v, { at: 8 });
    f.close();
    const e = catchPgError(() => readControlFile(dir));
    expect(e.message).toBe('database files are incompatible with server');
    expect(e.detail).toBe(
      `The database cluster was initialized with PG_CONTROL_VERSION 1201, but the server was compiled with PG_CONTROL_VERSION ${PG_CONTROL_VERSION}.`,
    );
    expect(e.hint).toBe('It looks like you need to initdb.');
    expect(e.where).toContain('global/pg_control');
  });

  it('reports a missing file, creating nothing', () => {
    const dir = new MemoryDirectory();
    const e = catchPgError(() => readControlFile(dir));
    expect(e.message).toBe('could not open file "global/pg_control": No such file or directory');
    expect(e.code).toBe('58P01');
    expect(dir.exists(CONTROL_FILE_PATH)).toBe(false);
  });
});
