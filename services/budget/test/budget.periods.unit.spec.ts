import {
  addDays,
  dayOf,
  hourLabel,
  hourOf,
  monthDays,
  monthOf,
  periodsOf,
  spendRange,
} from '../src/domain/budget.periods';

describe('budget periods', () => {
  describe('days and months', () => {
    it.each([
      ['2026-11-21T10:00:00.000Z', '2026-11-21', '2026-11'],
      ['2026-11-21T23:59:59.999Z', '2026-11-21', '2026-11'],
      ['2026-11-22T00:00:00.000Z', '2026-11-22', '2026-11'],
      ['2026-11-30T23:59:59.999Z', '2026-11-30', '2026-11'],
      ['2026-12-01T00:00:00.000Z', '2026-12-01', '2026-12'],
      ['2026-12-31T23:59:59.999Z', '2026-12-31', '2026-12'],
      ['2027-01-01T00:00:00.000Z', '2027-01-01', '2027-01'],
    ])('puts %s in day %s and month %s (UTC)', (iso, day, month) => {
      expect(dayOf(new Date(iso))).toBe(day);
      expect(monthOf(new Date(iso))).toBe(month);
      expect(periodsOf(new Date(iso))).toEqual({ day, month });
    });

    it('reads an instant with an offset in UTC, not in its own zone', () => {
      expect(periodsOf(new Date('2026-11-21T23:30:00-02:00'))).toEqual({
        day: '2026-11-22',
        month: '2026-11',
      });
    });
  });

  describe('addDays', () => {
    it.each([
      ['2026-11-21', 1, '2026-11-22'],
      ['2026-11-30', 1, '2026-12-01'],
      ['2026-12-31', 1, '2027-01-01'],
      ['2026-03-01', -1, '2026-02-28'],
      ['2028-03-01', -1, '2028-02-29'],
      ['2026-11-21', -30, '2026-10-22'],
    ])('%s plus %i days is %s', (day, n, expected) => {
      expect(addDays(day, n)).toBe(expected);
    });
  });

  describe('monthDays', () => {
    it.each([
      ['2026-11', '2026-11-01', '2026-12-01'],
      ['2026-12', '2026-12-01', '2027-01-01'],
      ['2028-02', '2028-02-01', '2028-03-01'],
    ])('%s runs from %s up to %s', (month, first, next) => {
      expect(monthDays(month)).toEqual({ first, next });
    });
  });

  describe('hours', () => {
    it('truncates to the UTC hour and labels it', () => {
      const hour = hourOf(new Date('2026-11-21T10:59:59.999Z'));
      expect(hour.toISOString()).toBe('2026-11-21T10:00:00.000Z');
      expect(hourLabel(hour)).toBe('2026-11-21T10');
    });
  });

  describe('spendRange', () => {
    it('defaults to the 30 days before today, today included', () => {
      expect(spendRange('2026-11-21')).toEqual({ from: '2026-10-22', to: '2026-11-21' });
    });

    it('counts the default start back from the given end', () => {
      expect(spendRange('2026-11-21', undefined, '2026-02-10')).toEqual({
        from: '2026-01-11',
        to: '2026-02-10',
      });
    });

    it('keeps a given start and end, one day included', () => {
      expect(spendRange('2026-11-21', '2026-11-01', '2026-11-01')).toEqual({
        from: '2026-11-01',
        to: '2026-11-01',
      });
    });

    it('refuses a start after the end', () => {
      expect(spendRange('2026-11-21', '2026-11-22')).toBeUndefined();
    });
  });
});
