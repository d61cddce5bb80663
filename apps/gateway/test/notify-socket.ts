import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * What systemd listens on for sd_notify messages: a Unix datagram socket. Node cannot open one,
 * so a small python3 program receives the datagrams and prints each on its own line.
 */
export class NotifySocket {
  readonly path: string;
  readonly #receiver: ChildProcess;
  readonly #messages: string[] = [];
  #waiting: (() => void) | undefined;

  private constructor(path: string, receiver: ChildProcess) {
    this.path = path;
    this.#receiver = receiver;
  }

  static async open(dir: string): Promise<NotifySocket> {
    const path = join(dir, 'notify.sock');
    const receiver = spawn('python3', ['-u', '-c', RECEIVER, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const socket = new NotifySocket(path, receiver);
    const lines = createInterface({ input: receiver.stdout as NodeJS.ReadableStream });
    const bound = new Promise<void>((resolve, reject) => {
      receiver.once('exit', (code) => reject(new Error(`python3 receiver exited with ${code}`)));
      lines.once('line', () => resolve());
    });
    await bound;
    lines.on('line', (line) => {
      socket.#messages.push(line);
      socket.#waiting?.();
    });
    return socket;
  }

  /** The next datagram, its lines joined by spaces. */
  async next(timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#messages.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no sd_notify message arrived');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#messages.shift() as string;
  }

  close(): void {
    this.#receiver.kill();
  }
}

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound")
while True:
    message = s.recv(4096).decode().strip()
    # systemd-notify follows each message with a BARRIER=1 handshake; it is not a state.
    if message != "BARRIER=1":
        print(message.replace("\\n", " "))
`;
