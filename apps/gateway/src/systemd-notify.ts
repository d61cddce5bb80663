import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

export interface SystemdNotifierOptions {
  /** The environment holding `NOTIFY_SOCKET`. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** The sd_notify client to run. @defaultValue 'systemd-notify' */
  command?: string;
  logger: Logger;
}

/**
 * Tells systemd (`Type=notify`) when the gateway is ready and when it is stopping, as upstream's
 * binary does (reference/notify_push.md §5.3). Node cannot send datagrams to a Unix socket, so
 * this runs systemd's own `systemd-notify`, naming the gateway as the main PID. systemd accepts
 * messages from a child only with `NotifyAccess=all` in the unit (infra/systemd/). Without
 * `NOTIFY_SOCKET` (not started by systemd) every call does nothing.
 */
export class SystemdNotifier {
  readonly #socket: string | undefined;
  readonly #command: string;
  readonly #logger: Logger;

  constructor(options: SystemdNotifierOptions) {
    this.#socket = (options.env ?? process.env).NOTIFY_SOCKET || undefined;
    this.#command = options.command ?? 'systemd-notify';
    this.#logger = options.logger;
  }

  /** `READY=1` with a status line; resolves once systemd-notify has sent it (or failed). */
  ready(status: string): Promise<void> {
    return this.#send(['--ready', `--pid=${process.pid}`, `--status=${status}`]);
  }

  /** `STOPPING=1`: systemd stops routing to us and waits for the exit. */
  stopping(): Promise<void> {
    return this.#send(['STOPPING=1']);
  }

  #send(args: string[]): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const child = spawn(this.#command, args, {
        env: { ...process.env, NOTIFY_SOCKET: socket },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      // A child that cannot start emits 'error' and then 'close' with a negative code.
      let spawnError: NodeJS.ErrnoException | undefined;
      child.once('error', (err: NodeJS.ErrnoException) => {
        spawnError = err;
      });
      child.once('close', (code) => {
        if (spawnError !== undefined) {
          this.#logger.warn(
            { reason: spawnError.code ?? spawnError.message },
            `NOTIFY_SOCKET is set but ${this.#command} could not be run; systemd did not hear ${args[0]}`,
          );
        } else if (code !== 0) {
          this.#logger.warn(
            { code, stderr: stderr.trim().slice(0, 200) },
            `${this.#command} failed; systemd did not hear ${args[0]}`,
          );
        }
        resolve();
      });
    });
  }
}
