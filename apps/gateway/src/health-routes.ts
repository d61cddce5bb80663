import type { RedisIngestState } from '@gw/ingest';
import type { NextcloudDatabase } from '@gw/nextcloud';
import type { FastifyPluginAsync } from 'fastify';

export interface HealthRoutesOptions {
  ingest: { readonly state: RedisIngestState };
  database: Pick<NextcloudDatabase, 'ping'>;
  /** The Solid channel store, when Solid is on. @defaultValue undefined */
  channelStore?: { ping(): Promise<void> };
  /** True once shutdown began: load balancers must stop sending clients here. */
  shuttingDown(): boolean;
  /** Longest wait for the database to answer a ping. @defaultValue 1_000 */
  databaseTimeoutMs?: number;
}

/** The ping did not answer in time. */
class PingTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'PingTimeoutError';
  }
}

/**
 * `/livez` answers 200 while the process serves requests; `/readyz` answers 200 only while the
 * gateway can do its job (reference/ecosystem.md §6.3), else 503 with the failed checks:
 * `{"ready":false,"failed":{"redis":"subscriber is down"}}`.
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  const timeoutMs = options.databaseTimeoutMs ?? 1_000;
  app.get('/livez', async (_request, reply) => reply.send({ live: true }));
  app.get('/readyz', async (_request, reply) => {
    const failed: Record<string, string> = {};
    if (options.ingest.state !== 'subscribed') {
      failed.redis = `subscriber is ${options.ingest.state}`;
    }
    const [database, channelStore] = await Promise.all([
      pingWithin(options.database, timeoutMs),
      options.channelStore && pingWithin(options.channelStore, timeoutMs),
    ]);
    if (database !== undefined) failed.database = database;
    if (channelStore !== undefined) failed.channelStore = channelStore;
    if (options.shuttingDown()) failed.shutdown = 'shutting down';
    if (Object.keys(failed).length === 0) return reply.send({ ready: true });
    return reply.code(503).send({ ready: false, failed });
  });
};

/** Resolves to why the database is not usable, or undefined when it answered. */
async function pingWithin(
  database: { ping(): Promise<void> },
  timeoutMs: number,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PingTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([database.ping(), timeout]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}
