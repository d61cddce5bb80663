import pg from 'pg';
import type { Logger } from 'pino';
import type { StoredChannel } from './stored-channel.js';

export interface ChannelStoreOptions {
  /** The gateway's PostgreSQL database (GATEWAY_DATABASE_URL). */
  url: string;
  logger: Logger;
  /** Connections held at most. @defaultValue 10 */
  poolSize?: number;
  /** Bound on connecting and on each statement. @defaultValue 5_000 */
  timeoutMs?: number;
}

const TABLE = 'notify_gateway_channels';

/**
 * The schema, one step per version. Steps only ever get appended: a replica applies the ones
 * its database lacks, under an advisory lock so replicas starting together do not race.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ${TABLE} (
     id UUID PRIMARY KEY,
     type TEXT NOT NULL,
     owner TEXT NOT NULL,
     topic TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     start_at BIGINT,
     end_at BIGINT NOT NULL,
     rate_ms BIGINT,
     state TEXT,
     accept TEXT,
     media_type TEXT NOT NULL,
     context_style TEXT NOT NULL,
     receive_token_hash TEXT UNIQUE,
     send_to TEXT
   );
   CREATE INDEX ${TABLE}_owner ON ${TABLE} (owner, end_at);
   CREATE INDEX ${TABLE}_end_at ON ${TABLE} (end_at);`,
  `ALTER TABLE ${TABLE} ADD COLUMN webhook_secret TEXT;
   CREATE INDEX ${TABLE}_send_to ON ${TABLE} (send_to) WHERE send_to IS NOT NULL;`,
  `CREATE TABLE notify_gateway_keys (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );`,
];

/** An arbitrary constant: the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_867_2023;

/** Rows per page when the live channels are loaded. */
const PAGE = 5_000;
/** Channels per INSERT: 15 parameters each, well under PostgreSQL's 65,535. */
const INSERT_BATCH = 500;

const COLUMN_NAMES = [
  'id',
  'type',
  'owner',
  'topic',
  'created_at',
  'start_at',
  'end_at',
  'rate_ms',
  'state',
  'accept',
  'media_type',
  'context_style',
  'receive_token_hash',
  'send_to',
  'webhook_secret',
] as const;
const COLUMNS = COLUMN_NAMES.join(', ');

/** `($15, $16, …, $28)` for the second row of a multi-row INSERT. */
function rowPlaceholders(row: number): string {
  const first = row * COLUMN_NAMES.length + 1;
  return `(${COLUMN_NAMES.map((_, column) => `$${first + column}`).join(', ')})`;
}

/** Solid notification channels in PostgreSQL: they survive restarts and are shared by replicas. */
export class ChannelStore {
  readonly #pool: pg.Pool;
  readonly #pending: { channel: StoredChannel; resolve(): void; reject(err: unknown): void }[] = [];
  #writing = false;

  constructor(options: ChannelStoreOptions) {
    const timeoutMs = options.timeoutMs ?? 5_000;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      query_timeout: timeoutMs + 1_000,
      keepAlive: true,
      application_name: 'notify-gateway',
    });
    this.#pool.on('error', (err) =>
      options.logger.warn({ reason: err.message }, 'idle channel-store connection failed'),
    );
  }

  /** Creates or upgrades the gateway's tables. */
  async migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS notify_gateway_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ max: number | null }>(
        'SELECT MAX(version) AS max FROM notify_gateway_migrations',
      );
      for (let version = (rows[0]?.max ?? 0) + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1] as string);
        await client.query('INSERT INTO notify_gateway_migrations (version) VALUES ($1)', [
          version,
        ]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Stores a new channel. Inserts that arrive while one is being written go out together as
   * one statement: each commit waits for PostgreSQL's WAL flush, and sharing it is what lets
   * many subscriptions per second through.
   */
  insert(channel: StoredChannel): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ channel, resolve, reject });
      if (!this.#writing) void this.#writeBatches();
    });
  }

  async #writeBatches(): Promise<void> {
    this.#writing = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, INSERT_BATCH);
      try {
        await this.#pool.query(
          `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ${batch.map((_, row) => rowPlaceholders(row)).join(', ')}`,
          batch.flatMap(({ channel }) => toRow(channel)),
        );
        for (const { resolve } of batch) resolve();
      } catch (err) {
        for (const { reject } of batch) reject(err);
      }
    }
    this.#writing = false;
  }

  async get(id: string): Promise<StoredChannel | undefined> {
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  /**
   * Every channel that has not ended by `now`, for a replica's index. Read in pages, so loading
   * 100,000 channels never holds them all as raw rows at once.
   */
  async live(now: number): Promise<StoredChannel[]> {
    const channels: StoredChannel[] = [];
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await this.#pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${TABLE} WHERE end_at > $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [now, after],
      );
      for (const row of rows) channels.push(fromRow(row));
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE) return channels;
      after = last.id as string;
    }
  }

  /** Resolves to whether the channel existed. */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(`DELETE FROM ${TABLE} WHERE id = $1`, [id]);
    return (rowCount ?? 0) > 0;
  }

  /** The `state` feature has been answered: it is not checked again (reference/solid.md §3.5). */
  async clearState(id: string): Promise<void> {
    await this.#pool.query(`UPDATE ${TABLE} SET state = NULL WHERE id = $1`, [id]);
  }

  /**
   * A value every replica must share, such as the webhook sender's signing key: the stored one,
   * or `create()`'s if there is none yet. Replicas racing to create it all end up with the one
   * that was stored first.
   */
  async shared(name: string, create: () => string): Promise<string> {
    await this.#pool.query(
      'INSERT INTO notify_gateway_keys (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [name, create(), Date.now()],
    );
    const { rows } = await this.#pool.query<{ value: string }>(
      'SELECT value FROM notify_gateway_keys WHERE name = $1',
      [name],
    );
    return rows[0]?.value as string;
  }

  /** Deletes every channel that POSTs to `sendTo`; resolves to their ids. */
  async deleteBySendTo(sendTo: string): Promise<string[]> {
    const { rows } = await this.#pool.query<{ id: string }>(
      `DELETE FROM ${TABLE} WHERE send_to = $1 RETURNING id`,
      [sendTo],
    );
    return rows.map((row) => row.id);
  }

  /** Deletes the channels that ended by `now`; resolves to how many. */
  async deleteEnded(now: number): Promise<number> {
    const { rowCount } = await this.#pool.query(`DELETE FROM ${TABLE} WHERE end_at <= $1`, [now]);
    return rowCount ?? 0;
  }

  async ping(): Promise<void> {
    await this.#pool.query(`SELECT 1 FROM ${TABLE} WHERE false`);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

function toRow(c: StoredChannel): (string | number | null)[] {
  return [
    c.id,
    c.type,
    c.owner,
    c.topic,
    c.createdAt,
    c.startAt ?? null,
    c.endAt,
    c.rateMs ?? null,
    c.state ?? null,
    c.accept ?? null,
    c.mediaType,
    c.contextStyle,
    c.receiveTokenHash ?? null,
    c.sendTo ?? null,
    c.webhookSecret ?? null,
  ];
}

type Row = Record<string, string | null>;

/** The same few values in every row: one string each, not one per channel. */
const INTERNED = new Map(
  [
    'WebSocketChannel2023',
    'WebhookChannel2023',
    'application/ld+json',
    'text/turtle',
    'notifications-context',
    'legacy-notification',
  ].map((value) => [value, value]),
);

function interned<T extends string>(value: string | null): T {
  return (INTERNED.get(value as string) ?? value) as T;
}

function fromRow(row: Row): StoredChannel {
  const number = (value: string | null) => (value === null ? undefined : Number(value));
  return {
    id: row.id as string,
    type: interned(row.type ?? null),
    owner: row.owner as string,
    topic: row.topic as string,
    createdAt: Number(row.created_at),
    startAt: number(row.start_at ?? null),
    endAt: Number(row.end_at),
    rateMs: number(row.rate_ms ?? null),
    state: row.state ?? undefined,
    accept: row.accept ?? undefined,
    mediaType: interned(row.media_type ?? null),
    contextStyle: interned(row.context_style ?? null),
    receiveTokenHash: row.receive_token_hash ?? undefined,
    sendTo: row.send_to ?? undefined,
    webhookSecret: row.webhook_secret ?? undefined,
  };
}
