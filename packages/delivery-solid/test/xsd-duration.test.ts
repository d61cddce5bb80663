import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatXsdDuration, parseXsdDuration } from '../src/xsd-duration.js';

describe('xsd:duration', () => {
  it('parses days, hours, minutes and fractional seconds', () => {
    assert.equal(parseXsdDuration('PT10S'), 10_000);
    assert.equal(parseXsdDuration('PT5M'), 300_000);
    assert.equal(parseXsdDuration('P1DT2H3M4.5S'), 93_784_500);
    assert.equal(parseXsdDuration('P2D'), 172_800_000);
    assert.equal(parseXsdDuration('PT0.001S'), 1);
    assert.equal(parseXsdDuration('PT.5S'), 500);
    assert.equal(parseXsdDuration('PT1.S'), 1000);
  });

  it("tolerates the drafts' lower-case designators", () => {
    assert.equal(parseXsdDuration('PT10s'), 10_000);
    assert.equal(parseXsdDuration('pt1m'), 60_000);
  });

  it('accepts zero years and months', () => {
    assert.equal(parseXsdDuration('P0Y0M0DT0H0M10S'), 10_000);
  });

  it('rejects years and months, which have no fixed length', () => {
    assert.throws(() => parseXsdDuration('P1Y'), /years and months have no fixed length/);
    assert.throws(() => parseXsdDuration('P1M'), /P1M is one month; one minute is PT1M/);
  });

  it('parses negative and zero durations and leaves the sign check to the caller', () => {
    assert.equal(parseXsdDuration('-PT1S'), -1000);
    assert.equal(parseXsdDuration('PT0S'), 0);
  });

  it('rejects what is not an xsd:duration', () => {
    for (const text of [
      '',
      'P',
      'PT',
      'P1DT',
      'ten seconds',
      'PT1.5M',
      'P1W',
      '10',
      'PT1H2H',
      'PT-1S',
      'P1S',
    ]) {
      assert.throws(() => parseXsdDuration(text), SyntaxError, text);
    }
  });

  it('rejects durations too long to count in milliseconds', () => {
    assert.throws(() => parseXsdDuration('P99999999999999D'), /too long/);
  });

  it('formats in days and smaller units', () => {
    assert.equal(formatXsdDuration(93_784_500), 'P1DT2H3M4.5S');
    assert.equal(formatXsdDuration(10_000), 'PT10S');
    assert.equal(formatXsdDuration(300_000), 'PT5M');
    assert.equal(formatXsdDuration(86_400_000), 'P1D');
    assert.equal(formatXsdDuration(1), 'PT0.001S');
    assert.equal(formatXsdDuration(1050), 'PT1.05S');
    assert.equal(formatXsdDuration(0), 'PT0S');
    assert.equal(formatXsdDuration(-1500), '-PT1.5S');
  });

  it('round-trips', () => {
    for (const ms of [1, 999, 1000, 59_999, 3_600_000, 93_784_500, 1_209_600_000, 1_209_600_001]) {
      assert.equal(parseXsdDuration(formatXsdDuration(ms)), ms);
    }
  });
});
