import { randomInt } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { HandshakeError } from './authenticate.js';
import {
  AUTH_TIMEOUT_FRAME,
  AUTHENTICATED_FRAME,
  CloseCode,
  INVALID_AUTH_MESSAGE,
  LISTEN_FILE_ID_COMMAND,
} from './protocol.js';
import { SendQueue } from './send-queue.js';

/** What a connection reports to the service that owns it. */
export interface ConnectionHost {
  /** Both credential frames arrived (trimmed). */
  onCredentials(connection: LegacyConnection, username: string, password: string): void;
  /** A binary credential frame, or the handshake timed out. */
  onHandshakeError(connection: LegacyConnection, error: HandshakeError): void;
  /** Called once per connection, as soon as it stops being usable, whichever side closed. */
  onClosed(connection: LegacyConnection): void;
}

export type ConnectionPhase = 'credentials' | 'verifying' | 'open' | 'closed';

/** State that only lives until the handshake ends. */
interface HandshakeState {
  username: string | undefined;
  readonly forwardedFor: readonly string[];
  readonly timer: NodeJS.Timeout;
}

export interface LegacyConnectionInit {
  /** Told about credentials, handshake errors and the close. */
  readonly host: ConnectionHost;
  /** The client's address chain, computed from the upgrade request. */
  readonly forwardedFor: readonly string[];
  /** Time for the whole handshake, from now, ms. */
  readonly authTimeoutMs: number;
  /** Jitter of the file/activity debounce, uniform in [0.5, 1.5). */
  readonly debounceFactor: number;
  /** Cap of the file/activity debounce base, seconds. */
  readonly maxDebounceTime: number;
  /** Monotonic clock reading when the socket was accepted, ms. */
  readonly now: number;
}

/**
 * One client socket: collects the two credential frames, then holds the per-connection state
 * the service needs (send queue, ping nonce, `listen notify_file_id`). Kept small: the service
 * holds tens of thousands of these, and all timing after the handshake is driven by the
 * service's single tick.
 */
export class LegacyConnection {
  readonly socket: WebSocket;
  readonly openedAt: number;
  readonly queue: SendQueue;
  readonly #host: ConnectionHost;
  #phase: ConnectionPhase = 'credentials';
  #handshake: HandshakeState | undefined;
  #uid: string | undefined;
  #listensToFileIds = false;
  #lastSentAt: number;
  /** Payload of the unanswered Ping as a u32; 0 when none is outstanding. */
  #pingNonce = 0;

  /** Attaches the socket listeners synchronously, so no early frame is missed. */
  constructor(socket: WebSocket, init: LegacyConnectionInit) {
    this.socket = socket;
    this.#host = init.host;
    this.openedAt = init.now;
    this.#lastSentAt = init.now;
    this.queue = new SendQueue(init.debounceFactor, init.maxDebounceTime);
    const timer = setTimeout(
      () => this.#host.onHandshakeError(this, new HandshakeError(AUTH_TIMEOUT_FRAME)),
      init.authTimeoutMs,
    );
    this.#handshake = { username: undefined, forwardedFor: init.forwardedFor, timer };
    socket.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    socket.on('pong', (data) => this.#onPong(data));
    socket.on('close', () => this.#markClosed());
  }

  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** The authenticated uid; `undefined` until the connection is open. */
  get uid(): string | undefined {
    return this.#uid;
  }

  get forwardedFor(): readonly string[] {
    return this.#handshake?.forwardedFor ?? [];
  }

  get listensToFileIds(): boolean {
    return this.#listensToFileIds;
  }

  get lastSentAt(): number {
    return this.#lastSentAt;
  }

  get awaitsPong(): boolean {
    return this.#pingNonce !== 0;
  }

  /** Bytes the socket has not written yet, framing included. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Ends the handshake successfully: sends `authenticated`. */
  open(uid: string, now: number): void {
    this.#endHandshake();
    this.#uid = uid;
    this.#phase = 'open';
    this.send(AUTHENTICATED_FRAME, now);
  }

  /** Sends a text frame (a Buffer holds its UTF-8 bytes). */
  send(text: string | Buffer, now: number): void {
    this.socket.send(text, { binary: false });
    this.#lastSentAt = now;
  }

  /** A Ping whose payload is a random non-zero u32, little-endian, as upstream sends. */
  ping(now: number): void {
    this.#pingNonce = randomInt(1, 0x1_0000_0000);
    const payload = Buffer.alloc(4);
    payload.writeUInt32LE(this.#pingNonce);
    this.socket.ping(payload);
    this.#lastSentAt = now;
  }

  /** Sends the failure frame, then closes with 1008 (upstream just drops the socket). */
  reject(error: HandshakeError): void {
    if (this.#phase === 'closed') return;
    this.socket.send(error.frame);
    this.close(CloseCode.policyViolation);
  }

  /** Starts the closing handshake; the connection stops being usable at once. */
  close(code: number): void {
    this.#markClosed();
    this.socket.close(code);
  }

  /** Drops the socket without a closing handshake, for peers that stopped answering. */
  terminate(): void {
    this.#markClosed();
    this.socket.terminate();
  }

  /** Resolves once the underlying socket has closed. */
  waitClosed(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#phase === 'credentials') this.#onCredential(data, isBinary);
    else if (this.#phase !== 'closed' && !isBinary && textOf(data) === LISTEN_FILE_ID_COMMAND) {
      this.#listensToFileIds = true;
    }
  }

  #onCredential(data: RawData, isBinary: boolean): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    if (isBinary) {
      this.#host.onHandshakeError(this, HandshakeError.rejected(INVALID_AUTH_MESSAGE));
      return;
    }
    const text = textOf(data).trim();
    if (handshake.username === undefined) {
      handshake.username = text;
      return;
    }
    this.#phase = 'verifying';
    this.#host.onCredentials(this, handshake.username, text);
  }

  #onPong(data: Buffer): void {
    // Upstream closes on an unsolicited pong too; RFC 6455 allows them, so they are ignored.
    if (this.#pingNonce === 0 || this.#phase !== 'open') return;
    if (data.length === 4 && data.readUInt32LE(0) === this.#pingNonce) this.#pingNonce = 0;
    else this.close(CloseCode.protocolError);
  }

  #endHandshake(): void {
    if (this.#handshake !== undefined) clearTimeout(this.#handshake.timer);
    this.#handshake = undefined;
  }

  #markClosed(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#endHandshake();
    this.#host.onClosed(this);
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString();
}
