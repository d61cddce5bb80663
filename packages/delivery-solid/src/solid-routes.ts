import { STATUS_CODES } from 'node:http';
import type {} from '@fastify/websocket';
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { negotiate } from './accept-header.js';
import { AuthenticationError, AuthenticationUnavailableError } from './authentication-error.js';
import type { ChannelFeature, ChannelType } from './channel.js';
import { serializeChannel } from './channel-serializer.js';
import {
  serializeStorageDescription,
  serializeSubscriptionService,
} from './description-serializer.js';
import type { RequestAuthenticator } from './request-authenticator.js';
import { SolidError } from './solid-error.js';
import type { SolidNotifications } from './solid-notifications.js';
import { parseSubscriptionRequest } from './subscription-request.js';
import { SubscriptionRequestError } from './subscription-request-error.js';
import { turtleIri } from './turtle-syntax.js';
import { JSON_LD, type RdfMediaType, TURTLE } from './vocabulary.js';
import type { WebhookSender } from './webhook-sender.js';

export interface SolidRoutesOptions {
  solid: SolidNotifications;
  authenticator: RequestAuthenticator;
  /** The gateway's public base URL, ending in `/` (PUBLIC_URL). */
  publicUrl: string;
  /** The client's address chain, for Nextcloud's brute-force protection of Basic logins. */
  forwardedFor(request: FastifyRequest): string[];
  /**
   * Path prefixes the routes answer under: the reverse proxy may or may not strip `/push`.
   * @defaultValue ['', '/push']
   */
  prefixes?: readonly string[];
  /** Largest subscription body. @defaultValue 16 KiB */
  bodyLimit?: number;
  /** The webhook sender's identity, served when WebhookChannel2023 is offered. */
  sender?: WebhookSender;
}

const FEATURES: readonly ChannelFeature[] = ['accept', 'endAt', 'rate', 'startAt', 'state'];
/** Types the gateway writes RDF in; `application/json` gets JSON-LD under that name. */
const OFFERED = [JSON_LD, TURTLE, 'application/json'] as const;
const ALLOWED_HEADERS = 'Accept, Authorization, Content-Type, DPoP';
const EXPOSED_HEADERS = 'Accept-Post, Allow, Link, Location, Webhook-Secret, WWW-Authenticate';

/**
 * The Solid Notifications Protocol over HTTP (reference/solid.md §1.2–§1.4, §8), with CSS's URL
 * shapes: the storage description at `/.well-known/solid`, a subscription service per channel
 * type at `/.notifications/<Type>/`, `DELETE` on a channel, and the receivers' sockets. CORS is
 * open to any origin: every request is authorised by its own credentials, never by cookies.
 * Needs `@fastify/websocket` registered on the app first.
 */
export const solidRoutes: FastifyPluginAsync<SolidRoutesOptions> = async (app, options) => {
  const bodyLimit = options.bodyLimit ?? 16 * 1024;
  // Bodies are parsed by the protocol's own rules (and errors), so every type arrives as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
  app.addHook('onRequest', async (request, reply) => cors(request, reply));
  app.setErrorHandler((error, request, reply) => sendError(error as Error, request, reply));
  for (const prefix of options.prefixes ?? ['', '/push']) {
    const routes = { app, options, prefix, bodyLimit };
    storageDescriptionRoute(routes);
    for (const type of options.solid.channelTypes) serviceRoutes(routes, type);
    socketRoute(routes);
    if (options.sender !== undefined) senderRoutes(routes, options.sender);
    app.options(`${prefix}/.well-known/solid`, async (_request, reply) =>
      preflight(reply, 'GET, HEAD, OPTIONS'),
    );
    app.options(`${prefix}/.notifications/*`, async (_request, reply) =>
      preflight(reply, 'GET, HEAD, OPTIONS, POST, DELETE'),
    );
  }
};

/** What the route helpers share: the app, the options, and the prefix they register under. */
interface Routes {
  app: FastifyInstance;
  options: SolidRoutesOptions;
  prefix: string;
  bodyLimit: number;
}

/** The public URL of a request, whichever prefix it came under. */
function publicUrlOf({ options, prefix }: Routes, request: FastifyRequest): string {
  return new URL(request.url.slice(prefix.length + 1), options.publicUrl).toString();
}

function services({ solid }: SolidRoutesOptions) {
  return solid.channelTypes.map((type) => ({
    id: solid.subscriptions.serviceUrl(type),
    channelType: type,
    features: FEATURES,
  }));
}

function storageDescriptionRoute(routes: Routes): void {
  const { app, options, prefix } = routes;
  app.route({
    method: ['GET', 'HEAD'],
    url: `${prefix}/.well-known/solid`,
    handler: async (request, reply) => {
      const mediaType = acceptable(request);
      const description = {
        id: `${options.publicUrl}.well-known/solid`,
        services: services(options),
      };
      return sendRdf(
        reply,
        serializeStorageDescription(description, rdfType(mediaType)),
        mediaType,
      );
    },
  });
}

/** The subscription service of one channel type, and `DELETE` on its channels. */
function serviceRoutes(routes: Routes, type: ChannelType): void {
  const { app, options, prefix, bodyLimit } = routes;
  const { solid } = options;
  const url = `${prefix}/.notifications/${type}/`;
  app.route({
    method: ['GET', 'HEAD'],
    url,
    handler: async (request, reply) => {
      const mediaType = acceptable(request);
      reply.header('accept-post', `${JSON_LD}, ${TURTLE}`);
      const service = {
        id: solid.subscriptions.serviceUrl(type),
        channelType: type,
        features: FEATURES,
      };
      return sendRdf(reply, serializeSubscriptionService(service, rdfType(mediaType)), mediaType);
    },
  });
  app.post(url, { bodyLimit }, async (request, reply) => {
    const mediaType = acceptable(request);
    const uid = await authenticatedUid(request, options, publicUrlOf(routes, request));
    const channelRequest = await parseSubscriptionRequest({
      body: typeof request.body === 'string' ? request.body : '',
      contentType: request.headers['content-type'],
      channelType: type,
      baseIri: publicUrlOf(routes, request),
    });
    const { description, webhookSecret } = await solid.subscribe(channelRequest, uid);
    // Shown once, outside the channel's RDF: it is the receiver's, not part of the description.
    if (webhookSecret !== undefined) reply.header('webhook-secret', webhookSecret);
    const body = serializeChannel(description, rdfType(mediaType), channelRequest.contextStyle);
    return sendRdf(reply, body, mediaType);
  });
  app.delete<{ Params: { id: string } }>(`${url}:id`, async (request, reply) => {
    const uid = await authenticatedUid(request, options, publicUrlOf(routes, request));
    await solid.unsubscribe(request.params.id, uid);
    // CSS answers 205 (reference/solid.md §1.9); clients written against it expect that.
    return reply.code(205).send();
  });
  app.route({
    method: ['PUT', 'PATCH'],
    url,
    handler: async (_request, reply) =>
      reply.code(405).header('allow', 'GET, HEAD, OPTIONS, POST').send(),
  });
}

/**
 * The webhook sender's identity (reference/solid.md §2.2, as CSS): its WebID document at the
 * `sender` URL, naming the issuer, and the issuer's OIDC metadata and keys under the public URL,
 * which a receiver follows to verify the DPoP-bound token each delivery carries.
 */
function senderRoutes({ app, prefix }: Routes, sender: WebhookSender): void {
  app.get(`${prefix}/.notifications/WebhookChannel2023/webId`, async (request, reply) => {
    const mediaType = acceptable(request);
    const body =
      rdfType(mediaType) === TURTLE
        ? `@prefix solid: <http://www.w3.org/ns/solid/terms#>.\n\n<> solid:oidcIssuer ${turtleIri(sender.issuer)}.\n`
        : JSON.stringify({
            '@context': { solid: 'http://www.w3.org/ns/solid/terms#' },
            '@id': sender.webId,
            'solid:oidcIssuer': { '@id': sender.issuer },
          });
    return sendRdf(reply, body, mediaType);
  });
  app.get(`${prefix}/.well-known/openid-configuration`, async () => sender.openIdConfiguration());
  app.get(`${prefix}/.oidc/jwks`, async () => sender.jwks());
}

/** Where WebSocketChannel2023 receivers connect: the capability URL of their channel. */
function socketRoute(routes: Routes): void {
  const { app, options, prefix } = routes;
  app.route<{ Params: { token: string } }>({
    method: 'GET',
    url: `${prefix}/.notifications/WebSocketChannel2023/socket/:token`,
    handler: async (_request, reply) =>
      reply.code(426).header('upgrade', 'websocket').send('Expected a WebSocket upgrade\n'),
    wsHandler: (socket, request) =>
      options.solid.connect(
        request.params.token,
        socket,
        publicUrlOf(routes, request).replace(/^http/, 'ws'),
      ),
  });
}

/** The media type to answer in; 406 before anything is done when there is none. */
function acceptable(request: FastifyRequest): (typeof OFFERED)[number] {
  const mediaType = negotiate(request.headers.accept, OFFERED);
  if (mediaType === undefined) {
    throw new SolidError('GW_SOLID_NOT_ACCEPTABLE', `acceptable types are ${OFFERED.join(', ')}`);
  }
  return mediaType as (typeof OFFERED)[number];
}

function rdfType(mediaType: (typeof OFFERED)[number]): RdfMediaType {
  return mediaType === TURTLE ? TURTLE : JSON_LD;
}

function sendRdf(reply: FastifyReply, body: string, mediaType: string) {
  return reply
    .header('content-type', `${mediaType}; charset=utf-8`)
    .header('vary', 'Accept, Origin')
    .send(body);
}

async function authenticatedUid(
  request: FastifyRequest,
  options: SolidRoutesOptions,
  url: string,
): Promise<string> {
  const { authenticator } = options;
  const authenticated = await authenticator.authenticate({
    method: request.method,
    url,
    headers: request.headers,
    forwardedFor: options.forwardedFor(request),
  });
  if (authenticated === undefined) {
    throw new AuthenticationError(
      'invalid_request',
      'authenticate with your Nextcloud credentials (Basic) or a Solid-OIDC DPoP-bound token',
      authenticator.challenge(),
    );
  }
  if (authenticated.uid === undefined) {
    throw new SolidError(
      'GW_SOLID_FORBIDDEN',
      `the WebID ${authenticated.webId} is not a user of this Nextcloud`,
    );
  }
  return authenticated.uid;
}

function cors(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  reply.header('access-control-allow-origin', origin ?? '*');
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
  if (origin !== undefined) reply.header('vary', 'Origin');
}

function preflight(reply: FastifyReply, methods: string) {
  return reply
    .code(204)
    .header('allow', methods)
    .header('access-control-allow-methods', methods)
    .header('access-control-allow-headers', ALLOWED_HEADERS)
    .header('access-control-max-age', '600')
    .header('accept-post', `${JSON_LD}, ${TURTLE}`)
    .send();
}

/** Every refusal as fastify writes errors: JSON with the status, a code and a message. */
function sendError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const { status, code } = classify(error);
  if (error instanceof AuthenticationError) reply.header('www-authenticate', error.wwwAuthenticate);
  if (status >= 500) request.log.warn({ err: error }, 'Solid request failed');
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ statusCode: status, code, error: STATUS_CODES[status], message: error.message });
}

function classify(error: FastifyError | Error): { status: number; code: string } {
  if (error instanceof SubscriptionRequestError || error instanceof SolidError) {
    return { status: error.statusCode, code: error.code };
  }
  if (error instanceof AuthenticationError)
    return { status: 401, code: `GW_SOLID_${error.error.toUpperCase()}` };
  if (error instanceof AuthenticationUnavailableError)
    return { status: 503, code: 'GW_SOLID_AUTH_UNAVAILABLE' };
  const fastifyError = error as FastifyError;
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, code: fastifyError.code ?? 'GW_SOLID_BAD_REQUEST' };
  }
  return { status: 500, code: 'GW_SOLID_INTERNAL' };
}
