import { isIP } from 'node:net';
import { type NextcloudClient, SelfTestError, type StorageMapping } from '@gw/nextcloud';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { RedisCommands } from './redis-commands.js';
import {
  checkTestToken,
  MissingTestTokenError,
  TestTokenUnavailableError,
  WrongTestTokenError,
} from './test-token.js';

export interface SelfTestRoutesOptions {
  /** Holds `test-token` and receives `notify_push_version`. */
  redis: Pick<RedisCommands, 'get' | 'set'>;
  /** Answers the reverse checks (cookie, trusted proxy). */
  nextcloud: Pick<NextcloudClient, 'getTestCookie' | 'getTestRemote'>;
  mapping: Pick<StorageMapping, 'mounts'>;
  /** The last `notify_test_cookie` received, 0 before any. */
  testCookie(): number;
  /** Written to `notify_push_version`: the notify_push release the gateway reproduces. */
  version: string;
  logger: Logger;
}

/** Upstream mounts every route twice, for reverse proxies that do not strip `/push`. */
const PREFIXES = ['', '/push'] as const;
const TEXT = 'text/plain; charset=utf-8';

type Params = Record<string, string>;
type Check = (request: FastifyRequest, token: string) => Promise<string>;

/**
 * The endpoints `occ notify_push:self-test` calls (reference/notify_push.md §6.1, §6.5), with
 * upstream's status codes and bodies. Each needs the `token` header to equal Redis `test-token`.
 */
export const selfTestRoutes: FastifyPluginAsync<SelfTestRoutesOptions> = async (app, options) => {
  const checks: Record<string, Check> = {
    '/test/cookie': async () => String(options.testCookie()),
    '/test/reverse_cookie': (_request, token) =>
      orFailure(options.nextcloud.getTestCookie(token).then(String)),
    '/test/mapping/:storage': async (request) => mappingCount(options, param(request, 'storage')),
    '/test/remote/:ip': (request, token) =>
      orFailure(options.nextcloud.getTestRemote(param(request, 'ip'), token)),
  };
  for (const prefix of PREFIXES) {
    for (const [path, check] of Object.entries(checks)) {
      app.all(`${prefix}${path}`, (request, reply) => answer(options, request, reply, check));
    }
    app.all(`${prefix}/test/version`, (request, reply) => {
      if (request.method !== 'POST') {
        return reply.code(405).type(TEXT).send('HTTP method not allowed');
      }
      return answer(options, request, reply, () => storeVersion(options));
    });
  }
};

async function answer(
  options: SelfTestRoutesOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  check: Check,
): Promise<FastifyReply> {
  // Upstream's path filters run first: a malformed id or address is simply an unknown route.
  if (!validParams(request.params as Params)) return reply.code(404).type(TEXT).send('');
  let token: string;
  try {
    token = checkTestToken(request.headers.token, await expectedToken(options));
  } catch (err) {
    return reply
      .code(err instanceof MissingTestTokenError ? 400 : 500)
      .type(TEXT)
      .send(rejection(err, options.logger));
  }
  return reply.type(TEXT).send(await check(request, token));
}

/** Upstream answers a failed reverse check with 200 and the failure's text, for occ to print. */
async function orFailure(result: Promise<string>): Promise<string> {
  try {
    return await result;
  } catch (err) {
    if (err instanceof SelfTestError) return err.message;
    throw err;
  }
}

async function expectedToken(options: SelfTestRoutesOptions): Promise<string> {
  let token: string | null;
  try {
    token = await options.redis.get('test-token');
  } catch (err) {
    throw new TestTokenUnavailableError(err instanceof Error ? err.message : String(err));
  }
  if (token === null) throw new TestTokenUnavailableError('test-token is not set');
  return token;
}

function rejection(err: unknown, logger: Logger): string {
  if (err instanceof MissingTestTokenError || err instanceof WrongTestTokenError) {
    return err.message;
  }
  if (err instanceof TestTokenUnavailableError) {
    logger.warn({ reason: err.message }, 'self-test request refused: no test token');
    return err.message;
  }
  throw err;
}

/** Upstream's route takes `{u32}` and `{IpAddr}`; anything else does not match it. */
function validParams(params: Params): boolean {
  const { storage, ip } = params;
  if (storage !== undefined && parseU32(storage) === undefined) return false;
  return ip === undefined || (isIP(ip) !== 0 && !ip.includes('%'));
}

function param(request: FastifyRequest, name: string): string {
  return (request.params as Params)[name] ?? '';
}

function parseU32(text: string): number | undefined {
  if (!/^\+?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 0xffff_ffff ? value : undefined;
}

/** Mounts of the storage whose root is the storage root (`''`); 0 when they cannot be loaded. */
async function mappingCount(options: SelfTestRoutesOptions, storage: string): Promise<string> {
  try {
    const mounts = await options.mapping.mounts(parseU32(storage) ?? 0);
    return String(mounts.filter((mount) => mount.rootPath === '').length);
  } catch (err) {
    options.logger.warn({ err, storage }, 'self-test could not load the storage mapping');
    return '0';
  }
}

async function storeVersion(options: SelfTestRoutesOptions): Promise<string> {
  try {
    await options.redis.set('notify_push_version', options.version);
    return 'set';
  } catch (err) {
    options.logger.warn({ err }, 'self-test could not store notify_push_version');
    return 'error';
  }
}
