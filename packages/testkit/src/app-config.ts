import type pg from 'pg';

/** `oc_appconfig`: per-app settings such as `notify_push/cookie`. */
export class AppConfig {
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(pool: pg.Pool, table: string) {
    this.#pool = pool;
    this.#table = table;
  }

  async get(app: string, key: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ configvalue: string | null }>(
      `SELECT configvalue FROM ${this.#table} WHERE appid = $1 AND configkey = $2`,
      [app, key],
    );
    return rows[0]?.configvalue ?? undefined;
  }

  async set(app: string, key: string, value: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#table} (appid, configkey, configvalue) VALUES ($1, $2, $3)
       ON CONFLICT (appid, configkey) DO UPDATE SET configvalue = EXCLUDED.configvalue`,
      [app, key, value],
    );
  }
}
