import { type PhpToken, syntaxError, tokenizePhp } from './php-tokens.js';

/** A PHP array: keys are strings, as PHP's integer keys are written in decimal. */
export interface PhpArray {
  readonly [key: string]: PhpValue;
}
export type PhpValue = string | number | boolean | null | PhpArray;

/** The only names config.php may use, with the values the PHP extensions define for them. */
const CONSTANTS = new Map<string, number>([
  ['PDO::MYSQL_ATTR_SSL_KEY', 1007],
  ['PDO::MYSQL_ATTR_SSL_CERT', 1008],
  ['PDO::MYSQL_ATTR_SSL_CA', 1009],
  ['PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT', 1014],
  ['RedisCluster::FAILOVER_NONE', 0],
  ['RedisCluster::FAILOVER_ERROR', 1],
  ['RedisCluster::FAILOVER_DISTRIBUTE', 2],
  ['RedisCluster::FAILOVER_DISTRIBUTE_SLAVES', 3],
]);
const LITERALS = new Map<string, PhpValue>([
  ['true', true],
  ['false', false],
  ['null', null],
]);
const INCLUDES = new Set(['include', 'include_once', 'require', 'require_once', 'eval']);

/**
 * Reads the `$CONFIG` array of a Nextcloud config.php without executing anything: only literal
 * arrays, strings, numbers, booleans, null and a few extension constants are accepted. Anything
 * else (function calls, variables, concatenation, include) is a {@link ConfigError} that names
 * `file`, the line and what was found.
 */
export function parsePhpConfig(source: string, file = 'config.php'): Record<string, PhpValue> {
  return new Parser(tokenizePhp(source, file), file).configArray();
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: PhpToken[],
    private readonly file: string,
  ) {}

  configArray(): Record<string, PhpValue> {
    const target = this.take();
    if (target.kind === 'end') throw syntaxError(this.file, target.line, '$CONFIG not found');
    if (target.kind !== 'variable' || target.text !== '$CONFIG') this.refuse(target);
    this.expect('=');
    const config = this.value();
    if (config === null || typeof config !== 'object') {
      throw syntaxError(this.file, target.line, '$CONFIG is not an array');
    }
    if (this.peekPunct(';')) this.take();
    if (this.peek().kind === 'close-tag') this.take();
    const end = this.take();
    if (end.kind !== 'end') this.refuse(end, 'after the $CONFIG array');
    return config;
  }

  private value(): PhpValue {
    const token = this.take();
    switch (token.kind) {
      case 'string':
      case 'number':
        return token.value;
      case 'punct':
        if (token.text === '[') return this.arrayItems(']');
        if (token.text === '-' || token.text === '+') return this.signed(token.text);
        return this.refuse(token);
      case 'name':
        return this.named(token);
      default:
        return this.refuse(token);
    }
  }

  private signed(sign: '-' | '+'): number {
    const token = this.take();
    if (token.kind !== 'number') return this.refuse(token, `after "${sign}"`);
    return sign === '-' ? -token.value : token.value;
  }

  private named(token: PhpToken & { kind: 'name' }): PhpValue {
    const name = token.text;
    const lower = name.toLowerCase();
    if (lower === 'array' && this.peekPunct('(')) {
      this.take();
      return this.arrayItems(')');
    }
    const literal = LITERALS.get(lower);
    if (literal !== undefined) return literal;
    const constant = CONSTANTS.get(name.replace(/^\\/, ''));
    if (constant !== undefined) return constant;
    return this.fail(token, this.refusedCode(token) ?? `the constant ${name}`);
  }

  private arrayItems(close: ']' | ')'): PhpArray {
    const items: Record<string, PhpValue> = Object.create(null);
    let nextIndex = 0;
    while (!this.peekPunct(close)) {
      const first = this.value();
      let key: string;
      let value: PhpValue;
      if (this.peekPunct('=>')) {
        const arrow = this.take();
        key = this.arrayKey(first, arrow);
        value = this.value();
      } else {
        key = String(nextIndex);
        value = first;
      }
      if (/^(?:0|-?[1-9]\d*)$/.test(key)) nextIndex = Math.max(nextIndex, Number(key) + 1);
      items[key] = value;
      if (!this.peekPunct(',')) break;
      this.take();
    }
    this.expect(close);
    return items;
  }

  /** PHP's key casts: integral floats and booleans become integers, null the empty string. */
  private arrayKey(key: PhpValue, at: PhpToken): string {
    if (typeof key === 'string') return key;
    if (typeof key === 'number') return String(Math.trunc(key));
    if (typeof key === 'boolean') return key ? '1' : '0';
    if (key === null) return '';
    return this.fail(at, 'an array as an array key');
  }

  private expect(text: '=' | ']' | ')'): void {
    const token = this.take();
    if (token.kind !== 'punct' || token.text !== text)
      this.refuse(token, `where "${text}" belongs`);
  }

  private peek(): PhpToken {
    return this.tokens[this.index] ?? { kind: 'end', line: 0 };
  }

  private peekPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === text;
  }

  private take(): PhpToken {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private refuse(token: PhpToken, where?: string): never {
    const refused = this.refusedCode(token);
    if (refused) return this.fail(token, refused);
    const found = describe(token);
    throw syntaxError(
      this.file,
      token.line,
      where ? `unexpected ${found} ${where}` : `unexpected ${found}`,
    );
  }

  /** Names code that would run in PHP, so the message says why it is refused. */
  private refusedCode(token: PhpToken): string | undefined {
    if (token.kind === 'variable') return `the variable ${token.text}`;
    if (token.kind === 'other' && token.text === '.') return 'concatenation (".")';
    if (token.kind !== 'name') return undefined;
    if (this.peekPunct('(')) return `the function call ${token.text}(...)`;
    if (INCLUDES.has(token.text.toLowerCase())) return `"${token.text}"`;
    return undefined;
  }

  private fail(token: PhpToken, what: string): never {
    throw syntaxError(
      this.file,
      token.line,
      `${what} is not allowed in config.php (it is read as plain data, never executed)`,
    );
  }
}

function describe(token: PhpToken): string {
  switch (token.kind) {
    case 'string':
      // Never the text: a misplaced string may be a password.
      return 'string';
    case 'number':
      return `number ${token.value}`;
    case 'close-tag':
      return '"?>"';
    case 'end':
      return 'end of file';
    default:
      return `"${token.text}"`;
  }
}
