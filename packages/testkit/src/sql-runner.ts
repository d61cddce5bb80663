import type Sqlite from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import type pg from 'pg';

type Params = readonly (string | number | null)[];

/** Runs the fixtures' statements on any of the three databases; SQL uses `?` placeholders. */
export interface SqlRunner {
  select(sql: string, params: Params): Promise<Record<string, unknown>[]>;
  /** Runs an INSERT of one row and resolves to the id the database generated in `idColumn`. */
  insert(sql: string, params: Params, idColumn: string): Promise<number>;
  run(sql: string, params?: Params): Promise<void>;
}

export function postgresRunner(pool: pg.Pool): SqlRunner {
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replaceAll('?', () => `$${++n}`);
  };
  return {
    async select(sql, params) {
      return (await pool.query(numbered(sql), [...params])).rows;
    },
    async insert(sql, params, idColumn) {
      const { rows } = await pool.query(`${numbered(sql)} RETURNING ${idColumn}`, [...params]);
      return Number(rows[0]?.[idColumn]);
    },
    async run(sql, params = []) {
      await pool.query(numbered(sql), [...params]);
    },
  };
}

export function mysqlRunner(connection: mysql.Connection): SqlRunner {
  return {
    async select(sql, params) {
      const [rows] = await connection.query(sql, [...params]);
      return rows as Record<string, unknown>[];
    },
    async insert(sql, params) {
      const [result] = await connection.query<mysql.ResultSetHeader>(sql, [...params]);
      return result.insertId;
    },
    async run(sql, params = []) {
      await connection.query(sql, [...params]);
    },
  };
}

export function sqliteRunner(db: Sqlite.Database): SqlRunner {
  return {
    async select(sql, params) {
      return db.prepare(sql).all(...params) as Record<string, unknown>[];
    },
    async insert(sql, params) {
      return Number(db.prepare(sql).run(...params).lastInsertRowid);
    },
    async run(sql, params = []) {
      db.prepare(sql).run(...params);
    },
  };
}
