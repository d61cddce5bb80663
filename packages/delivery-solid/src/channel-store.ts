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

/** The owner already has as many live channels as the quota allows. */
export class ChannelQuotaError extends Error {
  constructor(readonly quota: number) {
    super(`channel quota of ${quota} reached`);
    this.name = 'ChannelQuotaError';
  }
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
];

/** An arbitrary constant: the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_867_2023;

const COLUMNS =
  'id, type, owner, topic, created_at, start_at, end_at, rate_ms, state, accept, media_type, context_style, receive_token_hash, send_to';

/** Solid notification channels in PostgreSQL: they survive restarts and are shared by replicas. */
export class ChannelStore {
  readonly #pool: pg.Pool;

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
   * Stores a new channel unless its owner already has `quota` live ones (then
   * {@link ChannelQuotaError}). Two replicas racing may both pass the count; the quota is a
   * guard against runaway clients, not an exact limit.
   */
  async insert(channel: StoredChannel, quota: number): Promise<void> {
    const values = toRow(channel);
    const { rowCount } = await this.#pool.query(
      `INSERT INTO ${TABLE} (${COLUMNS})
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
        WHERE (SELECT count(*) FROM ${TABLE} WHERE owner = $3 AND end_at > $5) < $15`,
      [...values, quota],
    );
    if (rowCount === 0) throw new ChannelQuotaError(quota);
  }

  async get(id: string): Promise<StoredChannel | undefined> {
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  /** Every channel that has not ended by `now`, for a replica's index. */
  async live(now: number): Promise<StoredChannel[]> {
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM ${TABLE} WHERE end_at > $1`, [
      now,
    ]);
    return rows.map(fromRow);
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
  ];
}

type Row = Record<string, string | null>;

function fromRow(row: Row): StoredChannel {
  const number = (value: string | null) => (value === null ? undefined : Number(value));
  return {
    id: row.id as string,
    type: row.type as StoredChannel['type'],
    owner: row.owner as string,
    topic: row.topic as string,
    createdAt: Number(row.created_at),
    startAt: number(row.start_at ?? null),
    endAt: Number(row.end_at),
    rateMs: number(row.rate_ms ?? null),
    state: row.state ?? undefined,
    accept: row.accept ?? undefined,
    mediaType: row.media_type as StoredChannel['mediaType'],
    contextStyle: row.context_style as StoredChannel['contextStyle'],
    receiveTokenHash: row.receive_token_hash ?? undefined,
    sendTo: row.send_to ?? undefined,
  };
}
