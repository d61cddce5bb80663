// The storage-mapping query cost on each database Nextcloud runs on, with 10,000 mounts:
// StorageMapping.mounts() cold (a fresh StorageMapping, so the query runs) and warm (cached).
// Part of `pnpm bench:legacy`; needs PostgreSQL, MariaDB and nothing else (SQLite is a temp file).

import { openNextcloudDatabase, StorageMapping } from '@gw/nextcloud';
import {
  captureLogs,
  createNextcloudTestDatabase,
  type SqlDialect,
  type TestMount,
} from '@gw/testkit';

export interface StorageMappingBenchOptions {
  /** Cold loads measured per case. @defaultValue 30 */
  coldRepetitions?: number;
  /** Warm (cached) calls measured per case. @defaultValue 10_000 */
  warmRepetitions?: number;
}

/** 100 storages × 100 mounts = 10,000 users' mounts, plus one storage mounted 10,000 times. */
const STORAGES = 100;
const MOUNTS_PER_STORAGE = 100;
const BIG_STORAGE_MOUNTS = 10_000;
const DIALECTS: readonly SqlDialect[] = ['postgres', 'mysql', 'sqlite'];

interface Row {
  dialect: SqlDialect;
  mounts: number;
  cache: 'cold' | 'warm';
  medianMs: number;
  p99Ms: number;
}

// Kept off stdout so the table stays readable; nothing is logged unless the database fails.
const { logger } = captureLogs();

/** Runs the benchmark on every dialect and returns its table, one line per case. */
export async function benchStorageMapping(
  options: StorageMappingBenchOptions = {},
): Promise<string> {
  const rows: Row[] = [];
  for (const dialect of DIALECTS) rows.push(...(await benchDialect(dialect, options)));
  return formatTable(rows);
}

async function benchDialect(
  dialect: SqlDialect,
  options: StorageMappingBenchOptions,
): Promise<Row[]> {
  const db = await createNextcloudTestDatabase({ dialect });
  const database = openNextcloudDatabase(db.url, { prefix: db.prefix, logger });
  try {
    const small: number[] = [];
    for (let index = 0; index < STORAGES; index++) {
      small.push(await db.insertStorage(`home::user${index}`, storageMounts(index)));
    }
    const big = await db.insertStorage('object::store:amazon::groupfolders', bigStorageMounts());
    await database.ping();
    const cases = [
      { mounts: MOUNTS_PER_STORAGE, storage: (rep: number) => small[rep % small.length] ?? 0 },
      { mounts: BIG_STORAGE_MOUNTS, storage: () => big },
    ];
    const rows: Row[] = [];
    for (const { mounts, storage } of cases) {
      const cold = await timeEach(options.coldRepetitions ?? 30, (rep) =>
        new StorageMapping({ database, logger }).mounts(storage(rep)),
      );
      const mapping = new StorageMapping({ database, logger });
      await mapping.mounts(storage(0));
      const warm = await timeEach(options.warmRepetitions ?? 10_000, () =>
        mapping.mounts(storage(0)),
      );
      rows.push(summary(dialect, mounts, 'cold', cold), summary(dialect, mounts, 'warm', warm));
    }
    return rows;
  } finally {
    await database.close();
    await db.drop();
  }
}

/** The owner's home plus 99 users who received one of ten shared folders. */
function storageMounts(storage: number): TestMount[] {
  return Array.from({ length: MOUNTS_PER_STORAGE }, (_, index) =>
    index === 0
      ? { userId: `user${storage}`, rootPath: '', mountPoint: `/user${storage}/` }
      : {
          userId: `user${(storage * MOUNTS_PER_STORAGE + index) % 10_000}`,
          rootPath: `files/share-${index % 10}`,
          mountPoint: `/user${(storage * MOUNTS_PER_STORAGE + index) % 10_000}/files/share-${storage}-${index % 10}/`,
        },
  );
}

/** A groupfolder every user sees. */
function bigStorageMounts(): TestMount[] {
  return Array.from({ length: BIG_STORAGE_MOUNTS }, (_, index) => ({
    userId: `user${index}`,
    rootPath: '__groupfolders/1',
    mountPoint: `/user${index}/files/Everyone/`,
  }));
}

async function timeEach(repetitions: number, run: (rep: number) => Promise<unknown>) {
  const times: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    const started = performance.now();
    await run(rep);
    times.push(performance.now() - started);
  }
  return times;
}

function summary(dialect: SqlDialect, mounts: number, cache: Row['cache'], times: number[]): Row {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { dialect, mounts, cache, medianMs: at(0.5), p99Ms: at(0.99) };
}

function formatTable(rows: readonly Row[]): string {
  const lines = rows.map(
    (row) =>
      `${row.dialect.padEnd(9)} ${String(row.mounts).padStart(6)} mounts  ${row.cache}  median ${ms(row.medianMs)}  p99 ${ms(row.p99Ms)}`,
  );
  return [
    `storage mapping, StorageMapping.mounts() of one storage (${STORAGES} storages × ${MOUNTS_PER_STORAGE} mounts + 1 × ${BIG_STORAGE_MOUNTS}):`,
    ...lines,
  ].join('\n');
}

function ms(value: number): string {
  return (value < 0.1 ? `${(value * 1000).toFixed(1)} µs` : `${value.toFixed(2)} ms`).padStart(9);
}
