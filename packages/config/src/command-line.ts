import { ConfigError } from './config-error.js';
import { OPTIONS, type OptionSpec, parseSettings, type RawSettings } from './options.js';
import type { Settings } from './settings.js';

/** What the command line asks for, before the environment and config.php are consulted. */
export interface CommandLine {
  settings: Settings;
  /** The positional CONFIG_FILE, as given. */
  configFile: string | undefined;
  globConfig: boolean;
  dumpConfig: boolean;
  version: boolean;
  help: boolean;
}

type Action = 'globConfig' | 'dumpConfig' | 'version' | 'help';
const ACTIONS = new Map<string, Action>([
  ['--glob-config', 'globConfig'],
  ['--dump-config', 'dumpConfig'],
  ['--version', 'version'],
  ['--help', 'help'],
  ['-h', 'help'],
]);

/**
 * Reads argv (without the node and script entries). Flags take `--x=v` or `--x v`, short ones
 * also `-p80`. Unknown flags, and repeated ones other than `--redis-url`, stop with a
 * {@link ConfigError}.
 */
export function readCommandLine(argv: readonly string[]): CommandLine {
  const reader = new ArgvReader(argv);
  return reader.read();
}

class ArgvReader {
  private index = 0;
  private readonly raw: RawSettings = {};
  private readonly seen = new Set<string>();
  private readonly positionals: string[] = [];
  private readonly actions = new Set<Action>();

  constructor(private readonly argv: readonly string[]) {}

  read(): CommandLine {
    while (this.index < this.argv.length) this.readOne(this.argv[this.index++] ?? '');
    if (this.positionals.length > 1) {
      throw new ConfigError('CONFIG_FILE', 'Only one CONFIG_FILE may be given');
    }
    return {
      settings: parseSettings(this.raw, 'flag'),
      configFile: this.positionals[0],
      globConfig: this.actions.has('globConfig'),
      dumpConfig: this.actions.has('dumpConfig'),
      version: this.actions.has('version'),
      help: this.actions.has('help'),
    };
  }

  private readOne(arg: string): void {
    if (arg === '--') {
      this.positionals.push(...this.argv.slice(this.index));
      this.index = this.argv.length;
    } else if (arg.startsWith('-') && arg !== '-') {
      this.readFlag(arg);
    } else {
      this.positionals.push(arg);
    }
  }

  private readFlag(arg: string): void {
    const [name, inline] = splitFlag(arg);
    const option = OPTIONS.find((spec) => spec.flag === name || spec.short === name);
    const action = ACTIONS.get(name);
    const canonical = option?.flag ?? name;
    if (this.seen.has(canonical) && !option?.repeatable) {
      throw new ConfigError(canonical, `${canonical} may be given only once`);
    }
    this.seen.add(canonical);
    if (option?.repeatable) this.repeat(option, inline);
    else if (option) this.raw[option.setting] = this.optionValue(option, inline);
    else if (action) this.switchOn(name, inline, action);
    else throw new ConfigError(name, `Unknown option ${name} (see --help)`);
  }

  /** A repeatable option (one that takes a value) collects its values in order. */
  private repeat(option: OptionSpec, inline: string | undefined): void {
    const previous = this.raw[option.setting];
    const value = this.optionValue(option, inline);
    if (typeof value === 'string') {
      this.raw[option.setting] = Array.isArray(previous) ? [...previous, value] : [value];
    }
  }

  private optionValue(option: OptionSpec, inline: string | undefined): string | boolean {
    if (option.value === undefined) {
      if (inline !== undefined) throw noValueExpected(option.flag);
      return true;
    }
    if (inline !== undefined) return inline;
    const next = this.argv[this.index];
    if (next === undefined || (next.startsWith('-') && next !== '-')) {
      throw new ConfigError(option.flag, `Missing value for ${option.flag} ${option.value}`);
    }
    this.index++;
    return next;
  }

  private switchOn(name: string, inline: string | undefined, action: Action): void {
    if (inline !== undefined) throw noValueExpected(name);
    this.actions.add(action);
  }
}

/** `--port=80` → ['--port', '80']; `-p80` and `-p=80` → ['-p', '80']; `--port` → ['--port']. */
function splitFlag(arg: string): [string, string | undefined] {
  if (arg.startsWith('--')) {
    const equals = arg.indexOf('=');
    return equals < 0 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
  }
  const rest = arg.slice(2);
  return [arg.slice(0, 2), rest === '' ? undefined : rest.replace(/^=/, '')];
}

function noValueExpected(flag: string): ConfigError {
  return new ConfigError(flag, `${flag} takes no value`);
}
