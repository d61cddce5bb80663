import WebSocket, { type ClientOptions } from 'ws';

interface Waiter {
  resolve(frame: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A real `ws` client that records every text frame, so tests can await them in order. */
export class TestWebSocket {
  readonly socket: WebSocket;
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number>;
  readonly #frames: string[] = [];
  readonly #waiters: Waiter[] = [];

  constructor(url: string, options?: ClientOptions) {
    this.socket = new WebSocket(url, options);
    this.socket.on('message', (data, isBinary) => {
      const frame = isBinary ? `<binary ${String(data)}>` : String(data);
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#frames.push(frame);
      else {
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      }
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
  }

  static async open(url: string, options?: ClientOptions): Promise<TestWebSocket> {
    const client = new TestWebSocket(url, options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', resolve);
      client.socket.once('error', reject);
    });
    return client;
  }

  /** Opens a connection and completes the handshake, expecting `authenticated`. */
  static async authenticated(url: string, user: string, password = 'bar'): Promise<TestWebSocket> {
    const client = await TestWebSocket.open(url);
    client.send(user, password);
    const reply = await client.next();
    if (reply !== 'authenticated') throw new Error(`expected authenticated, got ${reply}`);
    return client;
  }

  send(...frames: string[]): void {
    for (const frame of frames) this.socket.send(frame);
  }

  /** The next text frame, or a rejection after `timeoutMs`. */
  next(timeoutMs = 2_000): Promise<string> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = { resolve, reject, timer };
      this.#waiters.push(waiter);
    });
  }

  /** Frames received so far and not yet taken, after waiting `ms`. */
  async framesAfter(ms: number): Promise<string[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#frames.splice(0);
  }

  /** Fails when any frame arrives within `ms`. */
  async nothingWithin(ms = 200): Promise<void> {
    const frames = await this.framesAfter(ms);
    if (frames.length > 0) throw new Error(`unexpected frame(s): ${JSON.stringify(frames)}`);
  }

  close(): void {
    this.socket.terminate();
  }
}
