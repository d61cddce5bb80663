import { ConfigError } from './config-error.js';

/**
 * Tokens of the PHP subset Nextcloud writes into config.php. Anything outside it still becomes a
 * token (`variable`, `other`) so the parser can say exactly what it refused.
 */
export type PhpToken = { line: number } & (
  | { kind: 'punct'; text: '(' | ')' | '[' | ']' | ',' | '=>' | '=' | ';' | '-' | '+' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'name'; text: string }
  | { kind: 'variable'; text: string }
  | { kind: 'other'; text: string }
  | { kind: 'close-tag' }
  | { kind: 'end' }
);

const OPEN_TAG = /^\uFEFF?\s*<\?php(?=\s)/i;
const WHITESPACE = /\s+/y;
const NAME = /\\?[A-Za-z_]\w*(?:\\[A-Za-z_]\w*)*(?:::[A-Za-z_]\w*)?/y;
const VARIABLE = /\$[A-Za-z_]\w*/y;
const FLOAT =
  /(?:\d+(?:_\d+)*\.(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?|\d+(?:_\d+)*[eE][+-]?\d+(?:_\d+)*/y;
const INTEGER =
  /0[xX][\da-fA-F]+(?:_[\da-fA-F]+)*|0[bB][01]+(?:_[01]+)*|0[oO][0-7]+(?:_[0-7]+)*|0[0-7]*(?:_[0-7]+)*|[1-9]\d*(?:_\d+)*/y;
const PUNCT = ['=>', '(', ')', '[', ']', ',', '=', ';', '-', '+'] as const;
const OPERATOR = /===?|!==?|<=>|<<=?|>>=?|\?\?=?|\*\*=?|[.+\-*/%&|^!<>?:@~`{}]=?/y;

/** Splits config.php into tokens; throws {@link ConfigError} naming the file and line. */
export function tokenizePhp(source: string, file: string): PhpToken[] {
  const open = OPEN_TAG.exec(source);
  if (!open) throw syntaxError(file, 1, 'the file does not start with "<?php"');
  return new Lexer(source, open[0].length, file).run();
}

export function syntaxError(file: string, line: number, problem: string): ConfigError {
  return new ConfigError('CONFIG_FILE', `${file}:${line}: ${problem}`);
}

class Lexer {
  private line = 1;
  private readonly tokens: PhpToken[] = [];

  constructor(
    private readonly source: string,
    private pos: number,
    private readonly file: string,
  ) {
    this.countLines(0, pos);
  }

  run(): PhpToken[] {
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.source.length) break;
      if (this.source.startsWith('?>', this.pos)) {
        this.closeTag();
        break;
      }
      this.tokens.push(this.next());
    }
    this.tokens.push({ kind: 'end', line: this.line });
    return this.tokens;
  }

  private next(): PhpToken {
    const char = this.source.charAt(this.pos);
    const line = this.line;
    if (char === "'") return { kind: 'string', value: this.singleQuoted(), line };
    if (char === '"') return { kind: 'string', value: this.doubleQuoted(), line };
    if (this.source.startsWith('<<<', this.pos)) this.fail('heredoc and nowdoc strings');
    const number = this.number();
    if (number !== undefined) return { kind: 'number', value: number, line };
    const name = this.match(NAME);
    if (name !== undefined) return { kind: 'name', text: name, line };
    const variable = this.match(VARIABLE);
    if (variable !== undefined) return { kind: 'variable', text: variable, line };
    const punct = PUNCT.find((text) => this.source.startsWith(text, this.pos));
    if (punct && !this.source.startsWith('==', this.pos)) {
      this.pos += punct.length;
      return { kind: 'punct', text: punct, line };
    }
    const operator = this.match(OPERATOR) ?? this.source.slice(this.pos, ++this.pos);
    return { kind: 'other', text: operator, line };
  }

  private closeTag(): void {
    const line = this.line;
    const rest = this.source.slice(this.pos + 2);
    if (rest.trim() !== '') {
      throw syntaxError(this.file, line, 'text after "?>" is not allowed in config.php');
    }
    this.tokens.push({ kind: 'close-tag', line });
    this.pos = this.source.length;
  }

  private skipBlanks(): void {
    for (;;) {
      if (this.match(WHITESPACE) !== undefined) continue;
      if (this.source.startsWith('/*', this.pos)) {
        const end = this.source.indexOf('*/', this.pos + 2);
        if (end < 0) throw syntaxError(this.file, this.line, 'unterminated /* comment');
        this.advanceTo(end + 2);
      } else if (this.source.startsWith('//', this.pos) || this.source.startsWith('#', this.pos)) {
        this.advanceTo(this.lineCommentEnd());
      } else {
        return;
      }
    }
  }

  /** A line comment ends at the newline, or just before a "?>" (PHP's rule). */
  private lineCommentEnd(): number {
    const rest = this.source.slice(this.pos);
    const end = rest.search(/\r?\n|\?>/);
    return end < 0 ? this.source.length : this.pos + end;
  }

  private singleQuoted(): string {
    const start = this.line;
    let value = '';
    for (let i = this.pos + 1; i < this.source.length; i++) {
      const char = this.source.charAt(i);
      if (char === "'") {
        this.advanceTo(i + 1);
        return value;
      }
      const escaped = this.source.charAt(i + 1);
      if (char === '\\' && (escaped === "'" || escaped === '\\')) {
        value += escaped;
        i++;
      } else {
        value += char;
      }
    }
    throw syntaxError(this.file, start, 'unterminated string');
  }

  private doubleQuoted(): string {
    const start = this.line;
    const bytes: Buffer[] = [];
    let i = this.pos + 1;
    while (i < this.source.length) {
      const char = this.source.charAt(i);
      if (char === '"') {
        this.advanceTo(i + 1);
        return Buffer.concat(bytes).toString('utf8');
      }
      if (char === '$' && /[A-Za-z_{]/.test(this.source.charAt(i + 1))) {
        this.advanceTo(i);
        this.fail('variable interpolation in a double-quoted string');
      }
      if (char === '{' && this.source.charAt(i + 1) === '$') {
        this.advanceTo(i);
        this.fail('variable interpolation in a double-quoted string');
      }
      if (char === '\\') {
        const [escaped, length] = doubleQuotedEscape(this.source, i);
        bytes.push(escaped);
        i += length;
      } else {
        const codePoint = this.source.codePointAt(i) ?? 0;
        const text = String.fromCodePoint(codePoint);
        bytes.push(Buffer.from(text, 'utf8'));
        i += text.length;
      }
    }
    throw syntaxError(this.file, start, 'unterminated string');
  }

  private number(): number | undefined {
    const float = this.match(FLOAT);
    const text = float ?? this.match(INTEGER);
    if (text === undefined) return undefined;
    if (/[\w$]/.test(this.source.charAt(this.pos))) {
      this.fail(`the malformed number ${text}${this.source.charAt(this.pos)}…`);
    }
    const digits = text.replaceAll('_', '');
    if (float !== undefined) return Number(digits);
    if (/^0\d/.test(digits)) return Number.parseInt(digits.slice(1), 8);
    return Number(digits.replace(/^0[oO]/, '0o'));
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.source)?.[0];
    if (!found) return undefined;
    this.advanceTo(this.pos + found.length);
    return found;
  }

  private advanceTo(pos: number): void {
    this.countLines(this.pos, pos);
    this.pos = pos;
  }

  private countLines(from: number, to: number): void {
    for (let i = from; i < to; i++) if (this.source.charAt(i) === '\n') this.line++;
  }

  private fail(what: string): never {
    throw syntaxError(this.file, this.line, `${what} is not allowed in config.php`);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  v: '\v',
  e: '\x1b',
  f: '\f',
  '\\': '\\',
  $: '$',
  '"': '"',
};

/** Decodes the escape at `at` (a backslash) into bytes; returns them and the length consumed. */
function doubleQuotedEscape(source: string, at: number): [Buffer, number] {
  const rest = source.slice(at + 1, at + 12);
  const simple = Object.hasOwn(SIMPLE_ESCAPES, rest.charAt(0))
    ? SIMPLE_ESCAPES[rest.charAt(0)]
    : undefined;
  if (simple !== undefined) return [Buffer.from(simple), 2];
  const octal = /^[0-7]{1,3}/.exec(rest)?.[0];
  if (octal) return [Buffer.from([Number.parseInt(octal, 8) & 0xff]), 1 + octal.length];
  const hex = /^x([\da-fA-F]{1,2})/.exec(rest);
  if (hex?.[1]) return [Buffer.from([Number.parseInt(hex[1], 16)]), 1 + hex[0].length];
  const unicode = /^u\{([\da-fA-F]{1,6})\}/.exec(rest);
  const codePoint = unicode?.[1] ? Number.parseInt(unicode[1], 16) : undefined;
  if (unicode && codePoint !== undefined && codePoint <= 0x10ffff) {
    return [Buffer.from(String.fromCodePoint(codePoint), 'utf8'), 1 + unicode[0].length];
  }
  // PHP keeps unknown escapes as they are, backslash included.
  return [Buffer.from('\\'), 1];
}
