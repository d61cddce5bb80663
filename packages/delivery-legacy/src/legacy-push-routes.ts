import type {} from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { LegacyPushService } from './legacy-push-service.js';

export interface LegacyPushRoutesOptions {
  service: LegacyPushService;
}

/** Upstream mounts every route twice, for reverse proxies that do not strip `/push`. */
const PATHS = ['/ws', '/push/ws'] as const;

/**
 * Registers the WebSocket endpoints `GET /ws` and `GET /push/ws`. Needs `@fastify/websocket`
 * registered on the app first. A plain GET without an upgrade gets 400.
 */
export const legacyPushRoutes: FastifyPluginAsync<LegacyPushRoutesOptions> = async (
  app,
  { service },
) => {
  for (const url of PATHS) {
    app.route({
      method: 'GET',
      url,
      handler: async (_request, reply) =>
        reply.code(400).type('text/plain').send('Expected a WebSocket upgrade\n'),
      wsHandler: (socket, request) =>
        service.accept(socket, {
          headers: request.headers,
          remoteAddress: request.socket.remoteAddress,
        }),
    });
  }
};
