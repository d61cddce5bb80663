import { OPTIONS, type OptionSpec } from './options.js';

const WIDTH = 100;
const INDENT = '          ';

function flagColumn(option: Pick<OptionSpec, 'flag' | 'short' | 'value'>): string {
  const flag = option.value ? `${option.flag} ${option.value}` : option.flag;
  return option.short ? `  ${option.short}, ${flag}` : `      ${flag}`;
}

/** An indented description, with the default on its own line when both would be too wide. */
function described(help: string, defaultText: string): string[] {
  const oneLine = `${INDENT}${help} [default: ${defaultText}]`;
  return oneLine.length <= WIDTH
    ? [oneLine]
    : [`${INDENT}${help}`, `${INDENT}[default: ${defaultText}]`];
}

function optionLines(option: OptionSpec): string[] {
  return [
    `${flagColumn(option)}  [env: ${option.env}]`,
    ...described(option.help, option.defaultText),
  ];
}

/** The --help text: every flag and environment variable with its default. */
export const usage = [
  'Usage: notify-gateway [OPTIONS] [CONFIG_FILE]',
  '       notify-gateway worker [OPTIONS] [CONFIG_FILE]   (webhook deliveries only)',
  '       notify-gateway demo | test-client <url> <user> <password>',
  '',
  "Pushes Nextcloud's notify_* events to clients; a drop-in replacement for notify_push.",
  'Each setting comes from its flag, else its environment variable (a .env file in the',
  'working directory counts too), else config.php.',
  '',
  'Arguments:',
  '  [CONFIG_FILE]',
  `${INDENT}Nextcloud's config.php; read as data, never executed`,
  '',
  'Options:',
  ...OPTIONS.flatMap(optionLines),
  '      --glob-config',
  `${INDENT}Also merge every *.config.php beside CONFIG_FILE, in name order`,
  '      --dump-config',
  `${INDENT}Print the configuration with passwords hidden, and exit`,
  '      --version',
  `${INDENT}Print the version and exit`,
  '  -h, --help',
  `${INDENT}Print this help and exit`,
  '',
].join('\n');
