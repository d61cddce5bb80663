import fp from 'fastify-plugin';
import { STORAGE_DESCRIPTION_REL } from './vocabulary.js';

export interface StorageDescriptionLinkOptions {
  /** The gateway's public base URL, ending in `/`. */
  publicUrl: string;
}

/**
 * Adds the storage description `Link` to every response of the gateway, errors and OPTIONS
 * included: the Solid Protocol requires it on GET, HEAD and OPTIONS, and CSS's omission on
 * OPTIONS and 404 is one of its gaps (reference/solid.md §3.9 item 3). Nextcloud's own WebDAV
 * responses get it from the reverse proxy (infra/nginx, infra/apache).
 */
export const storageDescriptionLink = fp<StorageDescriptionLinkOptions>(
  async (app, { publicUrl }) => {
    const link = `<${publicUrl}.well-known/solid>; rel="${STORAGE_DESCRIPTION_REL}"`;
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('link', link);
    });
  },
  { fastify: '5.x', name: 'storage-description-link' },
);
