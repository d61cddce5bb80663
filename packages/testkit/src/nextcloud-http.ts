import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AppConfig } from './app-config.js';
import { MalformedAuthorizationError, parseBasicAuth } from './basic-auth.js';
import { capabilitiesData } from './capabilities.js';
import { ocsBody, ocsFormat } from './ocs-response.js';
import type { RedisPublisher } from './redis-publisher.js';
import { peerAddress, remoteAddress } from './remote-address.js';
import { secureRandomString } from './secure-random.js';
import type { UserDirectory } from './users.js';

/** How the uid endpoint answers: normally, or with one of the failures a real server shows. */
export type AuthBehaviour = 'normal' | 'error500' | 'forbidden403' | 'hang' | 'redirect302';

/** One request the server received (what the gateway sent). */
export interface RecordedRequest {
  path: string;
  forwardedFor: string | undefined;
  userAgent: string | undefined;
}

/** What the routes read on every request; tests change it while the server runs. */
export interface NextcloudHttpState {
  readonly authBehaviour: AuthBehaviour;
  /** App config `notify_push/base_endpoint`. */
  readonly baseEndpoint: string | undefined;
}

export interface NextcloudHttpOptions {
  /** Read on every request, so tests can change it while the server runs. */
  state: NextcloudHttpState;
  /** The accounts Basic credentials are checked against. */
  users: UserDirectory;
  /** Where events are PUBLISHed (and self-test keys kept). */
  publisher: RedisPublisher;
  /** `oc_appconfig`, for the self-test cookie. */
  appConfig: AppConfig;
  /** Where requests that failed on our side are logged. */
  logger: Logger;
}

/** The notify_push app's version, which `/test/version` stores for the push server to compare. */
const APP_VERSION = '1.4.0';
const APP = '/index.php/apps/notify_push';
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void>;

/**
 * The HTTP endpoints the push server and its clients call, answered as Nextcloud answers them
 * (reference/notify_push.md §2, §6.2, §6.6). Everything else is 404.
 */
export class NextcloudHttp {
  readonly requests: RecordedRequest[] = [];
  readonly #options: NextcloudHttpOptions;
  readonly #server: http.Server;
  readonly #routes: ReadonlyMap<string, Handler>;
  #url = '';

  constructor(options: NextcloudHttpOptions) {
    this.#options = options;
    this.#routes = new Map<string, Handler>([
      [`GET ${APP}/uid`, (req, res) => this.#uid(req, res)],
      [`POST ${APP}/pre_auth`, (req, res) => this.#preAuth(req, res)],
      ['GET /ocs/v2.php/cloud/capabilities', (req, res, url) => this.#capabilities(req, res, url)],
      [`GET ${APP}/test/cookie`, (req, res) => this.#testCookie(req, res)],
      [`GET ${APP}/test/remote`, (req, res) => this.#testRemote(req, res)],
      [`GET ${APP}/test/version`, (_req, res) => this.#testVersion(res)],
    ]);
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
  }

  /** `http://host:port/`, with the trailing slash Nextcloud URLs carry. */
  get url(): string {
    return this.#url;
  }

  async listen(port: number, host: string): Promise<string> {
    this.#server.listen(port, host);
    await once(this.#server, 'listening');
    const address = this.#server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#url = `http://${hostPart}:${address.port}/`;
    return this.#url;
  }

  /** Stops listening and cuts every connection, including requests left hanging on purpose. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://nextcloud.invalid');
    this.requests.push({
      path: url.pathname,
      forwardedFor: header(req, 'x-forwarded-for'),
      userAgent: req.headers['user-agent'],
    });
    const handler = this.#routes.get(`${req.method} ${url.pathname}`);
    if (!handler) return send(res, 404, 'Not Found');
    try {
      await handler(req, res, url);
    } catch (err) {
      this.#options.logger.error({ err, path: url.pathname }, 'simulated Nextcloud request failed');
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
    }
  }

  async #uid(req: http.IncomingMessage, res: http.ServerResponse) {
    switch (this.#options.state.authBehaviour) {
      case 'error500':
        return send(res, 500, 'Internal Server Error');
      case 'forbidden403':
        return send(res, 403, 'Forbidden');
      case 'hang':
        return; // close() cuts the connection
      case 'redirect302':
        res.writeHead(302, { location: `${this.#url}index.php/login` }).end();
        return;
    }
    const uid = this.#loggedInUser(req, res);
    if (uid !== undefined) send(res, 200, uid);
  }

  async #preAuth(req: http.IncomingMessage, res: http.ServerResponse) {
    const uid = this.#loggedInUser(req, res);
    if (uid === undefined) return;
    const token = secureRandomString(32);
    await this.#options.publisher.publish('notify_pre_auth', { user: uid, token });
    send(res, 200, token);
  }

  async #capabilities(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    // Public page: credentials that do not log in leave the request anonymous.
    let loggedIn = false;
    try {
      loggedIn = this.#userOf(req.headers.authorization) !== undefined;
    } catch (err) {
      if (!(err instanceof MalformedAuthorizationError)) throw err;
    }
    const data = capabilitiesData({
      baseEndpoint: loggedIn ? this.#options.state.baseEndpoint : undefined,
      preAuthUrl: `${this.#url}index.php/apps/notify_push/pre_auth`,
    });
    const meta = { status: 'ok', statuscode: 200, message: 'OK' } as const;
    const { contentType, body } = ocsBody(
      meta,
      data,
      ocsFormat(url.searchParams.get('format'), req.headers.accept),
    );
    send(res, 200, body, contentType);
  }

  async #testCookie(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!(await this.#hasTestToken(req))) return send(res, 403, '');
    const cookie = Number.parseInt(
      (await this.#options.appConfig.get('notify_push', 'cookie')) ?? '0',
      10,
    );
    send(res, 200, JSON.stringify(Number.isNaN(cookie) ? 0 : cookie), JSON_TYPE);
  }

  async #testRemote(req: http.IncomingMessage, res: http.ServerResponse) {
    if (!(await this.#hasTestToken(req))) return send(res, 403, '');
    const { publisher } = this.#options;
    const forwardedFor = header(req, 'x-forwarded-for');
    const peer = peerAddress(req.socket.remoteAddress);
    await publisher.set('notify_push_forwarded_header', forwardedFor ?? '');
    await publisher.set('notify_push_remote', peer);
    send(res, 200, remoteAddress(peer, forwardedFor));
  }

  async #testVersion(res: http.ServerResponse) {
    await this.#options.publisher.set('notify_push_app_version', APP_VERSION);
    send(res, 200, '');
  }

  /** TestController's guard: the `token` header must equal the Redis key `test-token`. */
  async #hasTestToken(req: http.IncomingMessage): Promise<boolean> {
    const expected = await this.#options.publisher.get('test-token');
    return expected === (header(req, 'token') ?? '');
  }

  /**
   * The uid the request's Basic credentials log in as; otherwise answers it (400 for a malformed
   * header, 401 as Nextcloud's security middleware does) and returns undefined.
   */
  #loggedInUser(req: http.IncomingMessage, res: http.ServerResponse): string | undefined {
    let uid: string | undefined;
    try {
      uid = this.#userOf(req.headers.authorization);
    } catch (err) {
      if (!(err instanceof MalformedAuthorizationError)) throw err;
      send(res, 400, 'Bad Request');
      return undefined;
    }
    if (uid === undefined) {
      send(res, 401, JSON.stringify({ message: 'Current user is not logged in' }), JSON_TYPE);
    }
    return uid;
  }

  /** The uid Basic credentials log in as; throws {@link MalformedAuthorizationError}. */
  #userOf(header: string | undefined): string | undefined {
    const credentials = parseBasicAuth(header);
    return credentials && this.#options.users.authenticate(credentials.login, credentials.password);
  }
}

/** A request header as PHP sees it: repeated headers joined with `, `. */
function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function send(res: http.ServerResponse, status: number, body: string, contentType = TEXT) {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
