import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidValueError, parseLogSpec } from '../src/index.js';

describe('parseLogSpec', () => {
  it('maps flexi_logger levels to pino levels', () => {
    const cases: [string, string][] = [
      ['trace', 'trace'],
      ['debug', 'debug'],
      ['info', 'info'],
      ['warn', 'warn'],
      ['error', 'error'],
      ['off', 'silent'],
      ['WARN', 'warn'],
    ];
    for (const [spec, level] of cases) assert.equal(parseLogSpec(spec), level, spec);
  });

  it('lets the notify_push entry win over the bare default level', () => {
    assert.equal(parseLogSpec('notify_push=debug'), 'debug');
    assert.equal(parseLogSpec('notify_push=debug,warn'), 'debug');
    assert.equal(parseLogSpec('warn, notify_push=trace'), 'trace');
    assert.equal(parseLogSpec('info,notify_push=off'), 'silent');
  });

  it('applies the longest module prefix of notify_push, as flexi_logger matches modules', () => {
    assert.equal(parseLogSpec('notify=info,notify_push=error'), 'error');
    assert.equal(parseLogSpec('notify=info,warn'), 'info');
    assert.equal(parseLogSpec('notify_push::connection=debug,warn'), 'warn');
    assert.equal(parseLogSpec('sqlx=debug,error'), 'error');
  });

  it('traces a module named without a level, and is silent when nothing applies', () => {
    assert.equal(parseLogSpec('notify_push'), 'trace');
    assert.equal(parseLogSpec('notify_push='), 'trace');
    assert.equal(parseLogSpec('sqlx=debug'), 'silent');
    assert.equal(parseLogSpec(''), 'silent');
  });

  it('rejects specs flexi_logger rejects, and text filters', () => {
    for (const spec of ['notify_push=loud', 'a=b=c', 'my module=info', 'info/regex']) {
      assert.throws(() => parseLogSpec(spec), InvalidValueError, spec);
    }
  });
});
