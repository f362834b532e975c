import { describe, expect, it } from 'vitest';
import { detectDateOrder, parseDate, parseDateFormatOption } from '../src/import/dates.ts';

describe('parseDate', () => {
  it('reads year-first dates under every order', () => {
    for (const order of ['ymd', 'mdy', 'dmy'] as const) {
      expect(parseDate('2019-01-17', order)).toBe('2019-01-17');
      expect(parseDate('2019/1/17', order)).toBe('2019-01-17');
      expect(parseDate('2019.1.17', order)).toBe('2019-01-17');
      expect(parseDate('2019年1月17日', order)).toBe('2019-01-17');
      expect(parseDate('２０１９年１月１７日', order)).toBe('2019-01-17'); // full-width digits
    }
  });

  it('drops a time of day after a space or T', () => {
    expect(parseDate('2019-01-17 00:00:00', 'ymd')).toBe('2019-01-17');
    expect(parseDate('2019-01-17T08:30:00Z', 'ymd')).toBe('2019-01-17');
    expect(parseDate('2019-01-17T08:30:00+08:00', 'ymd')).toBe('2019-01-17');
    expect(parseDate('2019/1/17 9:05', 'ymd')).toBe('2019-01-17');
    expect(parseDate('2019年1月17日 9:30', 'ymd')).toBe('2019-01-17');
    expect(parseDate('1/17/2019 8:30 PM', 'mdy')).toBe('2019-01-17');
    expect(parseDate('2019-01-17 x', 'ymd')).toBeNull();
  });

  it('reads year-last dates under mdy and dmy only', () => {
    expect(parseDate('01/17/19', 'mdy')).toBe('2019-01-17');
    expect(parseDate('1/17/19', 'mdy')).toBe('2019-01-17');
    expect(parseDate('01/17/2019', 'mdy')).toBe('2019-01-17');
    expect(parseDate('17/01/2019', 'dmy')).toBe('2019-01-17');
    expect(parseDate('17.01.2019', 'dmy')).toBe('2019-01-17');
    expect(parseDate('17-01-2019', 'dmy')).toBe('2019-01-17');
    expect(parseDate('03/04/2019', 'mdy')).toBe('2019-03-04');
    expect(parseDate('03/04/2019', 'dmy')).toBe('2019-04-03');
    expect(parseDate('01/17/19', 'dmy')).toBeNull(); // month 17
    expect(parseDate('17/01/2019', 'mdy')).toBeNull();
    expect(parseDate('01/17/2019', 'ymd')).toBeNull();
    expect(parseDate('01/17-2019', 'mdy')).toBeNull(); // mixed separators
  });

  it('pivots two-digit years at 70', () => {
    expect(parseDate('1/1/00', 'mdy')).toBe('2000-01-01');
    expect(parseDate('1/1/69', 'mdy')).toBe('2069-01-01');
    expect(parseDate('1/1/70', 'mdy')).toBe('1970-01-01');
    expect(parseDate('1/1/99', 'dmy')).toBe('1999-01-01');
  });

  it('validates that the day exists, leap days included', () => {
    expect(parseDate('2024-02-29', 'ymd')).toBe('2024-02-29');
    expect(parseDate('2000-02-29', 'ymd')).toBe('2000-02-29');
    expect(parseDate('2019-02-29', 'ymd')).toBeNull();
    expect(parseDate('1900-02-29', 'ymd')).toBeNull();
    expect(parseDate('2019-02-30', 'ymd')).toBeNull();
    expect(parseDate('2019-04-31', 'ymd')).toBeNull();
    expect(parseDate('2019-13-01', 'ymd')).toBeNull();
    expect(parseDate('2019-00-10', 'ymd')).toBeNull();
    expect(parseDate('2019-01-00', 'ymd')).toBeNull();
    expect(parseDate('29/02/2024', 'dmy')).toBe('2024-02-29');
    expect(parseDate('02/29/23', 'mdy')).toBeNull();
    expect(parseDate('31/04/2019', 'dmy')).toBeNull();
  });

  it('rejects what is not a date', () => {
    for (const s of ['', '  ', 'n/a', '2019', '2019-01', '201901', '17/01', '1/2/3', '2019年1月17']) expect([s, parseDate(s, 'dmy')]).toEqual([s, null]);
  });
});

describe('detectDateOrder', () => {
  it('is ymd when no value is year-last', () => {
    expect(detectDateOrder(['2019-01-17', '2019/1/17', '2019年1月17日', '2019-01-17 00:00:00'])).toBe('ymd');
    expect(detectDateOrder([])).toBe('ymd');
    expect(detectDateOrder(['', 'unknown'])).toBe('ymd');
  });

  it('a first part over 12 is a day (dmy), a second part over 12 too (mdy)', () => {
    expect(detectDateOrder(['03/04/2019', '17/01/2019'])).toBe('dmy');
    expect(detectDateOrder(['03/04/2019', '01/17/19'])).toBe('mdy');
    expect(detectDateOrder(['2019-01-17', '12.31.2019'])).toBe('mdy');
  });

  it('is a conflict when values decide both ways', () => {
    expect(detectDateOrder(['17/01/2019', '01/17/2019'])).toBe('conflict');
  });

  it('is ambiguous when year-last dates never decide', () => {
    expect(detectDateOrder(['03/04/2019', '12/11/2019', '2019-05-05'])).toBe('ambiguous');
  });

  it('ignores values that are no date under either order', () => {
    expect(detectDateOrder(['13/13/2019', '32/01/2019', '03/04/2019'])).toBe('ambiguous');
    expect(detectDateOrder(['13/13/2019'])).toBe('ymd');
  });
});

describe('parseDateFormatOption', () => {
  it.each([
    ['YMD', 'ymd'], ['mdy', 'mdy'], ['Dmy', 'dmy'],
    ['MM/DD/YYYY', 'mdy'], ['M/D/YY', 'mdy'], ['DD/MM/YYYY', 'dmy'], ['dd.mm.yyyy', 'dmy'], ['YYYY-MM-DD', 'ymd'],
    ['YYYY年MM月DD日', 'ymd'], ['%m/%d/%Y', 'mdy'], [' yyyy/mm/dd ', 'ymd'],
  ] as const)('%s → %s', (s, want) => expect(parseDateFormatOption(s)).toBe(want));

  it.each(['', 'YDM', 'MM/YYYY', 'DD-MMM-YYYY', 'YYY-MM-DD', 'ISO', 'MM/DD/YYYY/DD'])('%s → null', (s) => expect(parseDateFormatOption(s)).toBeNull());
});
