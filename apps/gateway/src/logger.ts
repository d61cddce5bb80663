import pino, { type Logger } from 'pino';

/** JSON logs, or pretty ones when a person is watching a terminal (unless NO_ANSI). */
export function createLogger(level: pino.LevelWithSilent, noAnsi = false): Logger {
  const pretty = process.stdout.isTTY === true && !noAnsi;
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: ['req.headers.authorization', '*.password'], censor: '***' },
    transport: pretty
      ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' } }
      : undefined,
  });
}
