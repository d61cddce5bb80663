import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CustomEvent, UserEvent } from '@gw/events';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { authenticate, HandshakeError } from './authenticate.js';
import { forwardedForChain } from './forwarded-for.js';
import { type ConnectionHost, LegacyConnection } from './legacy-connection.js';
import {
  type LegacyPushOptions,
  type ResolvedLegacyPushOptions,
  resolveLegacyPushOptions,
} from './legacy-push-options.js';
import type { LegacyStats, MessageCounts } from './legacy-stats.js';
import { PreAuthStore } from './pre-auth-store.js';
import { CloseCode, CONNECTION_LIMIT_EXCEEDED } from './protocol.js';
import {
  formatCustomMessage,
  formatQueuedMessage,
  type QueuedMessage,
  toQueuedMessage,
} from './push-message.js';

/** What the service needs from the HTTP upgrade request. */
export interface UpgradeRequest {
  readonly headers: IncomingHttpHeaders;
  /** The TCP peer address; `undefined` on a Unix socket. */
  readonly remoteAddress: string | undefined;
}

/**
 * The legacy notify_push WebSocket protocol for Nextcloud clients: handshake, per-user routing,
 * per-connection debounce, pings and limits. One timer drives all connections: every
 * `tickIntervalMs` it flushes the connections with due messages and sweeps for pings and expired
 * connections, so the cost per idle connection is a few fields, not timers.
 */
export class LegacyPushService {
  readonly #options: ResolvedLegacyPushOptions;
  readonly #logger: Logger;
  readonly #preAuth: PreAuthStore;
  /** Every live socket, in the handshake or open. */
  readonly #connections = new Set<LegacyConnection>();
  readonly #users = new Map<string, Set<LegacyConnection>>();
  /** Open connections with queued messages. */
  readonly #pending = new Set<LegacyConnection>();
  readonly #ticker: NodeJS.Timeout;
  /** How often the tick also sweeps every connection for pings and max connection time. */
  readonly #sweepIntervalMs: number;
  #nextSweepAt = 0;
  readonly #host: ConnectionHost = {
    onCredentials: (connection, username, password) => this.#verify(connection, username, password),
    onHandshakeError: (connection, error) => this.#reject(connection, error),
    onClosed: (connection) => this.#forget(connection),
  };
  #activeConnections = 0;
  #totalConnections = 0;
  #handshakeFailures = 0;
  #droppedCustom = 0;
  readonly #sent: Omit<MessageCounts, 'total'> = {
    file: 0,
    activity: 0,
    notification: 0,
    custom: 0,
  };
  #closed = false;

  constructor(options: LegacyPushOptions) {
    this.#options = resolveLegacyPushOptions(options);
    this.#logger = options.logger;
    this.#preAuth = new PreAuthStore(this.#options.preAuthTtlMs, this.#options.maxPreAuthTokens);
    this.#sweepIntervalMs = sweepInterval(this.#options);
    this.#ticker = setInterval(() => this.#tick(), this.#options.tickIntervalMs);
    // The tick only serves sockets, and open sockets keep the process alive by themselves.
    this.#ticker.unref();
  }

  get stats(): LegacyStats {
    const sent = this.#sent;
    return {
      activeConnections: this.#activeConnections,
      activeUsers: this.#users.size,
      totalConnections: this.#totalConnections,
      messagesSent: {
        ...sent,
        total: sent.file + sent.activity + sent.notification + sent.custom,
      },
      droppedCustom: this.#droppedCustom,
      handshakeFailures: this.#handshakeFailures,
    };
  }

  /**
   * Takes over an upgraded socket and runs the handshake on it. Call it synchronously in the
   * WebSocket handler: it attaches the message listener, and frames that arrive before that are
   * lost.
   */
  accept(socket: WebSocket, request: UpgradeRequest): void {
    if (this.#closed) {
      socket.close(CloseCode.goingAway);
      return;
    }
    const peer = this.#options.unixSocket ? undefined : request.remoteAddress;
    const connection = new LegacyConnection(socket, {
      host: this.#host,
      forwardedFor: forwardedForChain(request.headers, peer),
      authTimeoutMs: this.#options.authTimeoutMs,
      debounceFactor: 0.5 + Math.random(),
      maxDebounceTime: this.#options.maxDebounceTime,
      now: performance.now(),
    });
    this.#connections.add(connection);
  }

  /** Routes one event to the user's open connections (debounced per connection). */
  deliver(event: UserEvent): void {
    const connections = this.#users.get(event.user);
    if (connections === undefined) return;
    if (event.type === 'custom') {
      this.#sendCustom(connections, event);
      return;
    }
    const message = toQueuedMessage(event);
    const now = performance.now();
    for (const connection of connections) {
      connection.queue.push(message, now);
      if (this.#options.debounceDisabled) this.#flush(connection, now);
      else this.#pending.add(connection);
    }
  }

  /** Registers a `notify_pre_auth` token: valid once, for `preAuthTtlMs` from now. */
  preAuth(user: string, token: string): void {
    if (typeof user !== 'string' || user === '' || typeof token !== 'string' || token === '') {
      // An empty token would match any client that sends an empty password.
      this.#logger.warn('ignoring a pre-auth token with an empty user or token');
      return;
    }
    this.#preAuth.add(user, token, performance.now());
    this.#logger.debug({ user }, 'pre-auth token registered');
  }

  /** `notify_signal` "reset": closes every connection (1012) so that clients reconnect. */
  reset(): void {
    this.#logger.info({ connections: this.#connections.size }, 'reset: closing every connection');
    for (const connection of [...this.#connections]) connection.close(CloseCode.serviceRestart);
  }

  /**
   * Graceful shutdown: stops the tick, closes every socket (handshakes included) with 1001,
   * waits up to `closeGraceMs` for the clients' close frames, then cuts the rest.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ticker);
    const connections = [...this.#connections];
    const allClosed = Promise.all(connections.map((connection) => connection.waitClosed()));
    for (const connection of connections) connection.close(CloseCode.goingAway);
    const grace = new AbortController();
    const graceful = await Promise.race([
      allClosed.then(() => true),
      sleep(this.#options.closeGraceMs, false, { signal: grace.signal }),
    ]);
    grace.abort();
    if (!graceful) for (const connection of connections) connection.socket.terminate();
    await allClosed;
  }

  #verify(connection: LegacyConnection, username: string, password: string): void {
    const credentials = { username, password, forwardedFor: connection.forwardedFor };
    authenticate(credentials, this.#preAuth, this.#options.verifyCredentials, performance.now())
      .then((uid) => this.#admit(connection, uid))
      .catch((err: unknown) => {
        if (err instanceof HandshakeError) this.#reject(connection, err);
        else this.#logger.error({ err }, 'legacy handshake failed unexpectedly');
      });
  }

  /** Checks the per-user limit before `authenticated`, unlike upstream (§1.3). */
  #admit(connection: LegacyConnection, uid: string): void {
    // The handshake may have timed out, or the client left, while Nextcloud answered.
    if (connection.phase !== 'verifying') return;
    const connections = this.#users.get(uid) ?? new Set<LegacyConnection>();
    if (connections.size >= this.#options.connectionsPerUser) {
      this.#logger.info({ uid }, 'connection limit exceeded for user');
      this.#reject(connection, HandshakeError.rejected(CONNECTION_LIMIT_EXCEEDED));
      return;
    }
    connections.add(connection);
    this.#users.set(uid, connections);
    this.#activeConnections++;
    this.#totalConnections++;
    connection.open(uid, performance.now());
    this.#logger.debug({ uid }, 'client authenticated');
  }

  #reject(connection: LegacyConnection, error: HandshakeError): void {
    if (connection.phase === 'closed') return;
    this.#handshakeFailures++;
    this.#logger.debug({ reply: error.frame }, 'handshake failed');
    connection.reject(error);
  }

  #forget(connection: LegacyConnection): void {
    this.#connections.delete(connection);
    this.#pending.delete(connection);
    const uid = connection.uid;
    const connections = uid === undefined ? undefined : this.#users.get(uid);
    if (uid === undefined || connections?.delete(connection) !== true) return;
    this.#activeConnections--;
    if (connections.size === 0) this.#users.delete(uid);
  }

  /** Custom messages bypass the queue; a congested socket loses them rather than grow. */
  #sendCustom(connections: Set<LegacyConnection>, event: CustomEvent): void {
    const text = formatCustomMessage(event);
    const now = performance.now();
    for (const connection of connections) {
      if (this.#isCongested(connection)) {
        this.#droppedCustom++;
        this.#logger.debug({ uid: event.user }, 'socket congested, dropping custom message');
        continue;
      }
      connection.send(text, now);
      this.#sent.custom++;
    }
  }

  #tick(): void {
    const now = performance.now();
    for (const connection of this.#pending) this.#flush(connection, now);
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + this.#sweepIntervalMs;
    for (const connection of this.#connections) this.#sweep(connection, now);
  }

  /** Sends what is due; a congested socket keeps its messages queued, where they merge. */
  #flush(connection: LegacyConnection, now: number): void {
    if (!this.#isCongested(connection)) {
      const due = this.#options.debounceDisabled
        ? connection.queue.drainAll(now)
        : connection.queue.drain(now, this.#activeConnections);
      for (const message of due) this.#sendQueued(connection, message, now);
    }
    if (connection.queue.isEmpty) this.#pending.delete(connection);
    else this.#pending.add(connection);
  }

  #sendQueued(connection: LegacyConnection, message: QueuedMessage, now: number): void {
    connection.send(formatQueuedMessage(message, connection.listensToFileIds), now);
    this.#sent[message.type]++;
  }

  /** Max connection time, then keepalive: a Ping after a quiet interval, unless one is unanswered. */
  #sweep(connection: LegacyConnection, now: number): void {
    if (connection.phase !== 'open') return;
    const { maxConnectionTimeMs, pingIntervalMs } = this.#options;
    if (maxConnectionTimeMs > 0 && now - connection.openedAt >= maxConnectionTimeMs) {
      connection.close(CloseCode.normal);
    } else if (now - connection.lastSentAt < pingIntervalMs) {
      return;
    } else if (connection.awaitsPong) {
      this.#logger.debug({ uid: connection.uid }, "client didn't answer the ping, terminating");
      connection.terminate();
    } else {
      connection.ping(now);
    }
  }

  #isCongested(connection: LegacyConnection): boolean {
    return connection.bufferedAmount > this.#options.sendHighWaterMark;
  }
}

/**
 * A tenth of the shortest deadline the sweep enforces, at most a second: pings and expiry are
 * then late by at most 10 %, and 10,000 idle connections cost one loop per second, not twenty.
 */
function sweepInterval(options: ResolvedLegacyPushOptions): number {
  const { pingIntervalMs, maxConnectionTimeMs, tickIntervalMs } = options;
  const deadlines = [10_000, pingIntervalMs];
  if (maxConnectionTimeMs > 0) deadlines.push(maxConnectionTimeMs);
  return Math.max(tickIntervalMs, Math.min(...deadlines) / 10);
}
