import { afterEach, describe, expect, it } from 'vitest';
import { formatUtcOffset, getSessionTimeZone, localToUtc, lookupTimeZone, setSessionTimeZone } from './timezone.ts';
import { timestampIn } from './timestamp.ts';

afterEach(() => setSessionTimeZone('UTC'));

describe('time zones', () => {
  it('formats offsets as ISO DateStyle does', () => {
    expect(formatUtcOffset(0)).toBe('+00');
    expect(formatUtcOffset(-18000)).toBe('-05');
    expect(formatUtcOffset(19800)).toBe('+05:30');
    expect(formatUtcOffset(-17762)).toBe('-04:56:02');
  });

  it('looks up abbreviations and IANA names, case-insensitively', () => {
    expect(lookupTimeZone('est')?.utcOffsetAt(0n)).toBe(-18000);
    expect(lookupTimeZone('america/new_york')?.name).toBe('America/New_York');
    expect(lookupTimeZone('Mars/Olympus')).toBeNull();
    expect(() => setSessionTimeZone('Mars/Olympus')).toThrow('time zone "mars/olympus" not recognized');
  });

  it('keeps the session zone', () => {
    setSessionTimeZone('Europe/Paris');
    expect(getSessionTimeZone().name).toBe('Europe/Paris');
    const zone = getSessionTimeZone();
    expect(zone.utcOffsetAt(timestampIn('2024-07-01'))).toBe(7200);
    expect(zone.utcOffsetAt(timestampIn('2024-01-01'))).toBe(3600);
  });

  it('maps wall-clock times to instants around transitions, preferring standard time', () => {
    const ny = lookupTimeZone('America/New_York');
    if (ny === null) throw new Error('no tz data');
    const hour = 3_600_000_000n;
    // 02:30 does not exist on 2024-03-10: read as 02:30 EST = 07:30 UTC.
    expect(localToUtc(ny, timestampIn('2024-03-10 02:30'))).toBe(timestampIn('2024-03-10 07:30'));
    // 01:30 happens twice on 2024-11-03: the EST one, 06:30 UTC.
    expect(localToUtc(ny, timestampIn('2024-11-03 01:30'))).toBe(timestampIn('2024-11-03 06:30'));
    expect(localToUtc(ny, timestampIn('2024-06-01 12:00'))).toBe(timestampIn('2024-06-01 12:00') + 4n * hour);
  });

  it('uses the nearest known offset beyond the JavaScript Date range', () => {
    const paris = lookupTimeZone('Europe/Paris');
    expect(paris?.utcOffsetAt(timestampIn('294276-06-01'))).toBeTypeOf('number');
  });
});
