import { randomInt } from 'node:crypto';
import type { RedisOptions } from 'ioredis';
import type pg from 'pg';
import pino, { type Logger } from 'pino';
import { AppConfig } from './app-config.js';
import { Filecache } from './filecache.js';
import { HomeStorages } from './home-storages.js';
import { MimetypeIds } from './mimetypes.js';
import { MountCache } from './mount-cache.js';
import { UnknownUserError } from './nextcloud-errors.js';
import { NextcloudFiles } from './nextcloud-files.js';
import { NextcloudGroups } from './nextcloud-groups.js';
import {
  type AuthBehaviour,
  NextcloudHttp,
  type NextcloudHttpState,
  type RecordedRequest,
} from './nextcloud-http.js';
import { NextcloudShares } from './nextcloud-shares.js';
import { nextcloudTables } from './nextcloud-tables.js';
import { RedisPublisher } from './redis-publisher.js';
import { secureRandomString } from './secure-random.js';
import { type NextcloudUser, UserDirectory } from './users.js';

export interface SimulatedNextcloudOptions {
  /** Nextcloud's database: a pool on tables made by `createNextcloudSchema`, and their prefix. */
  database: { pool: pg.Pool; prefix: string };
  /** The Redis the notify_push app PUBLISHes on and keeps its keys in (ioredis URL or options). */
  redis: RedisOptions | string;
  /** Accounts created, with their homes, before the server answers. @defaultValue [] */
  users?: NextcloudUser[];
  /**
   * App config `notify_push/base_endpoint`, e.g. `http://127.0.0.1:7867/push`; without it the
   * capability is not published. @defaultValue undefined
   */
  baseEndpoint?: string;
  /** HTTP listen port. @defaultValue 0 (any free port) */
  port?: number;
  /** HTTP listen address. @defaultValue '127.0.0.1' */
  host?: string;
  /** Where failures (Redis lost, a request that threw) are logged. @defaultValue silent */
  logger?: Logger;
}

/**
 * The project's stand-in for Nextcloud and its notify_push app: Nextcloud's tables in a real
 * PostgreSQL database, its Redis channels and payloads, and the HTTP endpoints the push server
 * calls. File, share and group operations change the tables and publish exactly what Nextcloud
 * publishes for them.
 */
export class SimulatedNextcloud implements NextcloudHttpState {
  /** Fault injection for the uid endpoint. */
  authBehaviour: AuthBehaviour = 'normal';
  /** App config `notify_push/base_endpoint`; may be set once the push server's URL is known. */
  baseEndpoint: string | undefined;
  readonly #users = new UserDirectory();
  readonly #publisher: RedisPublisher;
  readonly #appConfig: AppConfig;
  readonly #files: NextcloudFiles;
  readonly #shares: NextcloudShares;
  readonly #groups: NextcloudGroups;
  readonly #http: NextcloudHttp;

  private constructor(
    options: SimulatedNextcloudOptions,
    publisher: RedisPublisher,
    logger: Logger,
  ) {
    const { pool, prefix } = options.database;
    const tables = nextcloudTables(prefix);
    const homes = new HomeStorages(tables.storages);
    const mimetypes = new MimetypeIds(pool, tables.mimetypes);
    const filecache = new Filecache(tables.filecache, tables.mimetypes, mimetypes);
    const mounts = new MountCache(tables.mounts);
    this.baseEndpoint = options.baseEndpoint;
    this.#publisher = publisher;
    this.#appConfig = new AppConfig(pool, tables.appconfig);
    this.#shares = new NextcloudShares({
      pool,
      table: tables.share,
      homes,
      filecache,
      mounts,
      publisher,
    });
    this.#files = new NextcloudFiles({
      pool,
      homes,
      filecache,
      mounts,
      shares: this.#shares,
      publisher,
    });
    this.#groups = new NextcloudGroups({
      pool,
      groupsTable: tables.groups,
      membersTable: tables.groupUser,
      publisher,
    });
    this.#http = new NextcloudHttp({
      state: this,
      users: this.#users,
      publisher,
      appConfig: this.#appConfig,
      logger,
    });
  }

  /** Connects to Redis, creates the users and starts answering HTTP. */
  static async start(options: SimulatedNextcloudOptions): Promise<SimulatedNextcloud> {
    const logger = options.logger ?? pino({ level: 'silent' });
    const publisher = await RedisPublisher.connect(options.redis, logger);
    const nextcloud = new SimulatedNextcloud(options, publisher, logger);
    try {
      for (const user of options.users ?? []) await nextcloud.addUser(user);
      await nextcloud.#http.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    } catch (err) {
      await nextcloud.close();
      throw err;
    }
    return nextcloud;
  }

  /** `http://127.0.0.1:PORT/`: the base URL, ending with `/`. */
  get url(): string {
    return this.#http.url;
  }

  /** Every HTTP request received, oldest first (what the gateway sent). */
  get requests(): RecordedRequest[] {
    return this.#http.requests;
  }

  /**
   * Creates the account and its home (storage `home::{uid}`, `''` and `files`, mount `/{uid}/`);
   * resolves the home's numeric storage id.
   */
  async addUser(user: NextcloudUser): Promise<{ storage: number }> {
    this.#users.add(user);
    return this.#files.setUpHome(user.uid);
  }

  /**
   * Creates or overwrites the file at `path` in the user's home (e.g. `files/docs/a.txt`; its
   * folder must exist), propagates to every ancestor and publishes the file and its folders.
   */
  writeFile(uid: string, path: string, content?: string | Buffer) {
    return this.#files.writeFile(uid, path, content);
  }

  /** Creates a folder (its parent must exist), propagating and publishing like `writeFile`. */
  mkdir(uid: string, path: string) {
    return this.#files.mkdir(uid, path);
  }

  /** Removes the entry and its subtree; publishes the removed fileid and the folders above. */
  delete(uid: string, path: string) {
    return this.#files.delete(uid, path);
  }

  /** Moves within the home: same fileid, new path; publishes it and the folders at both ends. */
  move(uid: string, from: string, to: string) {
    return this.#files.move(uid, from, to);
  }

  /** A user share of `path` with `recipient` (share row, recipient mount, then the event). */
  share(ownerUid: string, path: string, recipientUid: string) {
    return this.#shares.share(ownerUid, path, recipientUid);
  }

  async addToGroup(uid: string, gid: string): Promise<void> {
    this.#requireUser(uid);
    await this.#groups.addToGroup(uid, gid);
  }

  async removeFromGroup(uid: string, gid: string): Promise<void> {
    this.#requireUser(uid);
    await this.#groups.removeFromGroup(uid, gid);
  }

  /** An activity for `uid` (`notify_activity`). */
  activity(uid: string): Promise<void> {
    return this.#publisher.publish('notify_activity', { user: uid });
  }

  /** A notification created or dismissed for `uid` (`notify_notification`). */
  notification(uid: string): Promise<void> {
    return this.#publisher.publish('notify_notification', { user: uid });
  }

  /** An app's custom message (`notify_custom`); `body` is left out when undefined. */
  custom(uid: string, message: string, body?: unknown): Promise<void> {
    const payload = body === undefined ? { user: uid, message } : { user: uid, message, body };
    return this.#publisher.publish('notify_custom', payload);
  }

  /** PUBLISHes anything: a string is sent verbatim, any other value as PHP encodes it. */
  publish(channel: string, payload: unknown): Promise<void> {
    return this.#publisher.publish(channel, payload);
  }

  /**
   * What `occ notify_push:self-test` does before calling the push server: SET Redis `test-token`
   * to a random 32-character token, save a random cookie (1..2^30) as app config
   * `notify_push/cookie`, and PUBLISH it on `notify_test_cookie`.
   */
  async prepareSelfTest(): Promise<{ token: string; cookie: number }> {
    const token = secureRandomString(32);
    const cookie = randomInt(1, 2 ** 30 + 1);
    await this.#publisher.set('test-token', token);
    await this.#appConfig.set('notify_push', 'cookie', String(cookie));
    await this.#publisher.publish('notify_test_cookie', cookie);
    return { token, cookie };
  }

  /** Stops the HTTP server and the Redis connection; the database belongs to its owner. */
  async close(): Promise<void> {
    await this.#http.close();
    await this.#publisher.close();
  }

  #requireUser(uid: string) {
    if (!this.#users.has(uid)) throw new UnknownUserError(uid);
  }
}
