import { readCommandLine } from './command-line.js';
import type { Config } from './config.js';
import { resolveConfig } from './load-config.js';

/** What the gateway binary should do. */
export type CliCommand =
  | { kind: 'run'; config: Config }
  | { kind: 'version' }
  | { kind: 'dump-config'; config: Config }
  | { kind: 'help' };

export interface ParseCommandLineOptions {
  /** Where `.env` and a relative CONFIG_FILE are looked up. @defaultValue process.cwd() */
  cwd?: string;
}

/**
 * Decides what the binary does. --help and --version win and read no configuration (as
 * upstream, --version works without a database). Throws {@link ConfigError}.
 */
export function parseCommandLine(
  argv: string[],
  env: NodeJS.ProcessEnv,
  options: ParseCommandLineOptions = {},
): CliCommand {
  const cli = readCommandLine(argv);
  if (cli.help) return { kind: 'help' };
  if (cli.version) return { kind: 'version' };
  const config = resolveConfig(cli, env, options.cwd ?? process.cwd());
  return cli.dumpConfig ? { kind: 'dump-config', config } : { kind: 'run', config };
}
