import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

export interface AdminDashboardOptions {
  /** The webhook queue to show. */
  queue: Queue;
  /** The password of user `admin` (ADMIN_PASSWORD). */
  password: string;
  /** The gateway's public URL: the dashboard's links must work through the reverse proxy. */
  publicUrl: string;
}

const PATH = '/admin/queues';

/**
 * The webhook queue's dashboard (bull-board) at `/admin/queues`, behind HTTP Basic for user
 * `admin`. Registered only when an admin password is configured: the dashboard can retry and
 * delete jobs, and shows their bodies.
 */
export const adminDashboard: FastifyPluginAsync<AdminDashboardOptions> = async (app, options) => {
  const server = new FastifyAdapter();
  // The links it writes are seen by the browser, which reaches the gateway under PUBLIC_URL.
  server.setBasePath(`${new URL(options.publicUrl).pathname}${PATH.slice(1)}`);
  createBullBoard({
    queues: [new BullMQAdapter(options.queue, { readOnlyMode: false })],
    serverAdapter: server,
  });
  const expected = Buffer.from(`admin:${options.password}`);
  app.addHook('onRequest', async (request, reply) => {
    if (!isAdmin(request.headers.authorization, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="notify-gateway admin", charset="UTF-8"')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'the admin password is needed' });
    }
  });
  await app.register(
    server.registerPlugin() as unknown as FastifyPluginAsync,
    { prefix: PATH } as Parameters<FastifyInstance['register']>[1],
  );
};

/** Constant-time check of `Authorization: Basic …` against `admin:<password>`. */
function isAdmin(header: string | undefined, expected: Buffer): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return false;
  const given = Buffer.from(match[1], 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
