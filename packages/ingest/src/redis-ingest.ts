import {
  decodeNotifyMessage,
  isNotifyChannel,
  type NotifyChannel,
  type NotifyEvent,
} from '@gw/events';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisIngestOptions {
  /**
   * The Redis servers to subscribe at, each with its ioredis options (host/port/path/username/
   * password/db/tls; reconnect settings are ours): one server, or any nodes of a Redis Cluster,
   * where a PUBLISH reaches every node. Each connection attempt takes the next node in turn, so a
   * dead node costs one attempt.
   */
  nodes: readonly RedisOptions[];
  /** The `notify_*` channels to subscribe to; duplicates are ignored. */
  channels: readonly NotifyChannel[];
  /** Receives every valid message; must not throw (a throw is caught and logged). */
  onEvent(event: NotifyEvent, receivedAt: number): void;
  /**
   * Called each time every channel is subscribed: at start-up and after each reconnect. Pub/sub
   * keeps nothing for a disconnected subscriber, so whoever keeps state from the messages
   * catches up here. @defaultValue none
   */
  onSubscribed?: () => void;
  logger: Logger;
  /** How often the subscriber connection is PINGed. @defaultValue 15_000 */
  keepaliveIntervalMs?: number;
  /**
   * Longest wait for Redis to answer a PING, or for a connection attempt to end subscribed;
   * longer counts as a dead link and forces a reconnect. @defaultValue 5_000
   */
  keepaliveTimeoutMs?: number;
  /** First reconnect delay; it doubles per failed attempt, with jitter. @defaultValue 250 */
  reconnectMinDelayMs?: number;
  /** Longest reconnect delay. @defaultValue 5_000 */
  reconnectMaxDelayMs?: number;
}

export type RedisIngestState = 'connecting' | 'subscribed' | 'down' | 'closed';

export interface RedisIngestStats {
  /** Messages received on any channel, valid or not. */
  received: number;
  /** Messages dropped because they did not decode. */
  invalid: number;
  /** Times every channel was subscribed again after the link had been down (or never up). */
  reconnects: number;
}

/** Payloads are logged only this far, so one huge bad message cannot flood the log. */
const LOGGED_PAYLOAD_CHARS = 200;
/** Channels whose payload carries a secret (a pre-auth token) and is never logged. */
const SECRET_CHANNELS: ReadonlySet<string> = new Set<NotifyChannel>(['notify_pre_auth']);

/**
 * The one subscriber connection to Redis for the `notify_*` channels (reference/notify_push.md
 * §3.1). Each connection attempt is a fresh ioredis client with its own reconnect logic off, so
 * this class alone decides when to reconnect and verifies every SUBSCRIBE: upstream lost its
 * subscriptions silently when idle links died (#627). With several nodes (a cluster), attempts
 * go round them; upstream only ever uses the first seed, so one dead node stops its delivery.
 *
 * `start()` resolves once every channel is subscribed, or after the first failed attempt is
 * logged: the gateway must start without Redis and report not-ready (`state !== 'subscribed'`)
 * while this keeps reconnecting in the background.
 */
export class RedisIngest {
  readonly stats: RedisIngestStats = { received: 0, invalid: 0, reconnects: 0 };
  #state: RedisIngestState = 'connecting';
  readonly #options: RedisIngestOptions;
  readonly #nodes: readonly RedisOptions[];
  readonly #channels: readonly NotifyChannel[];
  readonly #logger: Logger;
  readonly #keepaliveIntervalMs: number;
  readonly #keepaliveTimeoutMs: number;
  readonly #reconnectMinDelayMs: number;
  readonly #reconnectMaxDelayMs: number;
  #client: Redis | undefined;
  /** The current client's node, as logs name it: `host:port` or the socket path. */
  #clientNode = '';
  /** Where the next connection attempt goes: an index into `#nodes`. */
  #nextNode = 0;
  #failedAttempts = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  /** Armed while an answer from Redis is due: the subscription of an attempt, or a PONG. */
  #answerDeadline: NodeJS.Timeout | undefined;
  #started: (() => void) | undefined;

  constructor(options: RedisIngestOptions) {
    this.#options = options;
    if (options.nodes.length === 0) throw new TypeError('no Redis nodes to subscribe at');
    this.#nodes = options.nodes;
    this.#channels = [...new Set(options.channels)];
    const unknown = this.#channels.find((channel) => !isNotifyChannel(channel));
    if (unknown !== undefined) throw new TypeError(`unknown channel ${JSON.stringify(unknown)}`);
    if (this.#channels.length === 0) throw new TypeError('no channels to subscribe to');
    this.#logger = options.logger;
    this.#keepaliveIntervalMs = positive(
      'keepaliveIntervalMs',
      options.keepaliveIntervalMs,
      15_000,
    );
    this.#keepaliveTimeoutMs = positive('keepaliveTimeoutMs', options.keepaliveTimeoutMs, 5_000);
    this.#reconnectMinDelayMs = positive('reconnectMinDelayMs', options.reconnectMinDelayMs, 250);
    this.#reconnectMaxDelayMs = positive('reconnectMaxDelayMs', options.reconnectMaxDelayMs, 5_000);
  }

  get state(): RedisIngestState {
    return this.#state;
  }

  /** See the class comment for when this resolves; it never rejects. */
  start(): Promise<void> {
    if (this.#started !== undefined || this.#client !== undefined || this.#state === 'closed') {
      throw new Error('RedisIngest.start() may be called once, before close()');
    }
    const started = new Promise<void>((resolve) => {
      this.#started = resolve;
    });
    this.#connect();
    return started;
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    this.#stopWaiting();
    this.#resolveStarted();
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await dropConnection(client);
  }

  #connect(): void {
    // The constructor made sure there is a node, and the index stays in range.
    const node = this.#nodes[this.#nextNode] as RedisOptions;
    this.#nextNode = (this.#nextNode + 1) % this.#nodes.length;
    this.#clientNode = node.path ?? `${node.host ?? 'localhost'}:${node.port ?? 6379}`;
    const client = new Redis({
      ...node,
      lazyConnect: true,
      retryStrategy: () => null,
      reconnectOnError: null,
      autoResubscribe: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.#client = client;
    let lastError: Error | undefined;
    // ioredis reports why a connection failed only through 'error'; connect() just says "closed".
    client.on('error', (err: Error) => {
      lastError = err;
    });
    client.on('message', this.#onMessage);
    client.once('close', () => this.#linkLost(client, lastError?.message ?? 'connection closed'));
    this.#expectAnswer(client, 'no subscription');
    client
      .connect()
      .then(() => client.subscribe(...this.#channels))
      .then((count) => this.#subscribed(client, Number(count)))
      .catch((err: Error) => this.#linkLost(client, lastError?.message ?? err.message));
  }

  #subscribed(client: Redis, count: number): void {
    if (client !== this.#client) return;
    if (count !== this.#channels.length) {
      this.#linkLost(client, `subscribed to ${count} of ${this.#channels.length} channels`);
      return;
    }
    this.#answered();
    const restored = this.#state === 'down';
    this.#state = 'subscribed';
    this.#failedAttempts = 0;
    const node = this.#clientNode;
    if (restored) {
      this.stats.reconnects++;
      this.#logger.info({ node }, `Redis link restored, subscribed to ${count} channels`);
    } else {
      this.#logger.info({ node }, `Redis link up, subscribed to ${count} channels`);
    }
    this.#startKeepalive(client);
    this.#resolveStarted();
    try {
      this.#options.onSubscribed?.();
    } catch (err) {
      this.#logger.error({ err }, 'subscription handler failed');
    }
  }

  /** Every way a connection ends comes here; only the current client's first report counts. */
  #linkLost(client: Redis, reason: string): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#stopWaiting();
    dropConnection(client).catch(() => {});
    const node = this.#clientNode;
    if (this.#state === 'subscribed') {
      this.#logger.warn({ node, reason }, 'Redis link lost, reconnecting');
    } else if (this.#state === 'connecting') {
      this.#logger.warn({ node, reason }, 'Redis unreachable, retrying in the background');
    } else {
      this.#logger.debug({ node, reason }, 'Redis reconnect attempt failed');
    }
    this.#state = 'down';
    this.#resolveStarted();
    this.#reconnectTimer = setTimeout(() => this.#connect(), this.#nextDelay());
  }

  #nextDelay(): number {
    const exponential = this.#reconnectMinDelayMs * 2 ** this.#failedAttempts++;
    const capped = Math.min(this.#reconnectMaxDelayMs, exponential);
    // Jitter, so many gateways do not reconnect to a restarted Redis in lockstep.
    return capped * (0.75 + Math.random() * 0.5);
  }

  #startKeepalive(client: Redis): void {
    this.#keepaliveTimer = setInterval(() => {
      if (this.#answerDeadline !== undefined) return;
      this.#expectAnswer(client, 'no PONG');
      // A failed PING means the connection is closing; its 'close' event reports that.
      client.ping().then(
        () => {
          if (client === this.#client) this.#answered();
        },
        () => {},
      );
    }, this.#keepaliveIntervalMs);
  }

  #expectAnswer(client: Redis, what: string): void {
    this.#answerDeadline = setTimeout(
      () => this.#linkLost(client, `${what} within ${this.#keepaliveTimeoutMs} ms`),
      this.#keepaliveTimeoutMs,
    );
  }

  #answered(): void {
    clearTimeout(this.#answerDeadline);
    this.#answerDeadline = undefined;
  }

  #stopWaiting(): void {
    clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#answered();
  }

  #resolveStarted(): void {
    this.#started?.();
  }

  /** The hot path: an arrow function bound once, nothing allocated beyond decoding. */
  readonly #onMessage = (channel: string, raw: string): void => {
    this.stats.received++;
    let event: NotifyEvent;
    try {
      event = decodeNotifyMessage(channel, raw);
    } catch (err) {
      this.stats.invalid++;
      this.#logInvalid(channel, raw, err);
      return;
    }
    try {
      this.#options.onEvent(event, Date.now());
    } catch (err) {
      this.#logger.error({ err, channel }, 'event handler failed');
    }
  };

  #logInvalid(channel: string, raw: string, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    const payload = SECRET_CHANNELS.has(channel)
      ? '[redacted]'
      : raw.length > LOGGED_PAYLOAD_CHARS
        ? `${raw.slice(0, LOGGED_PAYLOAD_CHARS)}… (${raw.length} chars)`
        : raw;
    this.#logger.warn({ channel, reason, payload }, 'dropping invalid Redis message');
  }
}

/**
 * Closes a connection at once. `disconnect()` only half-closes the socket, which lingers when
 * the server is frozen or the link is dead, so the socket is destroyed too.
 */
async function dropConnection(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise((resolve) => client.once('end', resolve));
  client.disconnect();
  client.stream?.destroy();
  await ended;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!(result > 0 && Number.isFinite(result))) throw new RangeError(`invalid ${name} ${value}`);
  return result;
}
