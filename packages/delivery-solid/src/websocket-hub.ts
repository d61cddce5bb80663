import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { SolidCloseCode } from './close-codes.js';

export interface WebSocketHubOptions {
  logger: Logger;
  /** How often every socket is pinged; one without a pong by the next ping is dropped. @defaultValue 30_000 */
  pingIntervalMs?: number;
  /** Sockets one channel may have open at once. @defaultValue 16 */
  maxSocketsPerChannel?: number;
  /**
   * Bytes a socket may have waiting to be sent; beyond that the receiver is not keeping up and
   * is closed (1013), instead of buffering without bound. @defaultValue 4 MiB
   */
  maxBufferedBytes?: number;
}

interface Receiver {
  socket: WebSocket;
  /** Answered the last ping. */
  alive: boolean;
}

/**
 * The open sockets of WebSocketChannel2023 channels on this replica. One interval pings them
 * all (CSS sends no pings, so dead peers linger there until the kernel notices).
 */
export class WebSocketHub {
  readonly #receivers = new Map<string, Set<Receiver>>();
  readonly #logger: Logger;
  readonly #maxSockets: number;
  readonly #maxBuffered: number;
  readonly #pinger: NodeJS.Timeout;
  #sockets = 0;

  constructor(options: WebSocketHubOptions) {
    this.#logger = options.logger;
    this.#maxSockets = options.maxSocketsPerChannel ?? 16;
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#pinger = setInterval(() => this.#ping(), options.pingIntervalMs ?? 30_000);
    this.#pinger.unref();
  }

  /** Open sockets on this replica. */
  get sockets(): number {
    return this.#sockets;
  }

  hasSockets(channelId: string): boolean {
    return this.#receivers.has(channelId);
  }

  /** Takes a socket for a channel; `false` (and the socket closed) when the channel is full. */
  attach(channelId: string, socket: WebSocket): boolean {
    const receivers = this.#receivers.get(channelId) ?? new Set<Receiver>();
    if (receivers.size >= this.#maxSockets) {
      socket.close(
        SolidCloseCode.tooManySockets,
        `at most ${this.#maxSockets} sockets per channel`,
      );
      return false;
    }
    const receiver: Receiver = { socket, alive: true };
    receivers.add(receiver);
    this.#receivers.set(channelId, receivers);
    this.#sockets++;
    socket.on('pong', () => {
      receiver.alive = true;
    });
    socket.once('close', () => this.#detach(channelId, receiver));
    // Receivers have nothing to say; a frame from them is ignored (size is capped by ws).
    socket.on('error', (err) => this.#logger.debug({ err, channelId }, 'receiver socket error'));
    return true;
  }

  /** Sends one text frame (UTF-8 bytes) to every socket of the channel; returns how many. */
  send(channelId: string, frame: Buffer): number {
    const receivers = this.#receivers.get(channelId);
    if (receivers === undefined) return 0;
    let sent = 0;
    for (const { socket } of receivers) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > this.#maxBuffered) {
        socket.close(SolidCloseCode.tryAgainLater, 'receiver too slow');
        continue;
      }
      socket.send(frame, { binary: false });
      sent++;
    }
    return sent;
  }

  /** Closes a channel's sockets, after a last text line when given. */
  close(channelId: string, code: number, reason: string, line?: string): void {
    for (const { socket } of this.#receivers.get(channelId) ?? []) {
      if (line !== undefined && socket.readyState === socket.OPEN) socket.send(line);
      socket.close(code, reason);
    }
  }

  /** Closes every socket (shutdown) and stops pinging. */
  closeAll(code: number, reason: string): void {
    clearInterval(this.#pinger);
    for (const channelId of this.#receivers.keys()) this.close(channelId, code, reason);
  }

  #detach(channelId: string, receiver: Receiver): void {
    const receivers = this.#receivers.get(channelId);
    if (receivers?.delete(receiver)) this.#sockets--;
    if (receivers?.size === 0) this.#receivers.delete(channelId);
  }

  #ping(): void {
    for (const receivers of this.#receivers.values()) {
      for (const receiver of receivers) {
        if (!receiver.alive) {
          receiver.socket.terminate();
          continue;
        }
        receiver.alive = false;
        receiver.socket.ping();
      }
    }
  }
}
