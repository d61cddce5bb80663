import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseXsdDateTime } from '../src/xsd-date-time.js';

describe('xsd:dateTime', () => {
  it('parses the ISO form with milliseconds and Z', () => {
    assert.equal(parseXsdDateTime('2023-01-01T09:00:00.000Z'), Date.UTC(2023, 0, 1, 9));
    assert.equal(parseXsdDateTime('1988-03-09T14:48:00.000Z'), Date.UTC(1988, 2, 9, 14, 48));
  });

  it('applies time-zone offsets', () => {
    assert.equal(parseXsdDateTime('2023-01-01T10:00:00+01:00'), Date.UTC(2023, 0, 1, 9));
    assert.equal(parseXsdDateTime('2023-01-01T04:30:00-04:30'), Date.UTC(2023, 0, 1, 9));
  });

  it('keeps milliseconds and drops finer digits', () => {
    assert.equal(parseXsdDateTime('2023-01-01T09:00:00.5Z'), Date.UTC(2023, 0, 1, 9, 0, 0, 500));
    assert.equal(
      parseXsdDateTime('2023-01-01T09:00:00.123999Z'),
      Date.UTC(2023, 0, 1, 9, 0, 0, 123),
    );
  });

  it('tolerates lower-case t and z and surrounding whitespace', () => {
    assert.equal(parseXsdDateTime(' 2023-01-01t09:00:00z '), Date.UTC(2023, 0, 1, 9));
  });

  it('reads 24:00:00 as the next midnight', () => {
    assert.equal(parseXsdDateTime('2023-12-31T24:00:00Z'), Date.UTC(2024, 0, 1));
  });

  it('handles leap years and years below 100', () => {
    assert.equal(parseXsdDateTime('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
    assert.throws(() => parseXsdDateTime('2023-02-29T00:00:00Z'), /no such date/);
    assert.throws(() => parseXsdDateTime('1900-02-29T00:00:00Z'), /no such date/);
    assert.equal(new Date(parseXsdDateTime('0050-01-01T00:00:00Z')).getUTCFullYear(), 50);
  });

  it('rejects a date-time without a time zone, which names no instant', () => {
    assert.throws(() => parseXsdDateTime('2023-01-01T09:00:00'), /with a time zone/);
  });

  it('rejects what is not a date-time', () => {
    for (const text of [
      'tomorrow',
      '2023-01-01',
      '1672563600000',
      '2023-1-1T09:00:00Z',
      '+2023-01-01T09:00:00Z',
      '2023-01-01 09:00:00Z',
    ]) {
      assert.throws(() => parseXsdDateTime(text), /not a date-time/, text);
    }
  });

  it('rejects impossible dates, times and zones', () => {
    for (const text of [
      '2023-13-01T00:00:00Z',
      '2023-04-31T00:00:00Z',
      '2023-01-00T00:00:00Z',
      '2023-01-01T24:00:01Z',
      '2023-01-01T23:60:00Z',
      '2023-01-01T23:00:60Z',
    ]) {
      assert.throws(() => parseXsdDateTime(text), /no such date or time/, text);
    }
    assert.throws(() => parseXsdDateTime('2023-01-01T00:00:00+14:01'), /no such time zone/);
    assert.throws(() => parseXsdDateTime('2023-01-01T00:00:00+01:60'), /no such time zone/);
  });
});
