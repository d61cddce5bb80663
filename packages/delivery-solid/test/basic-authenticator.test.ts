import assert from 'node:assert/strict';
import { Session } from 'node:inspector/promises';
import { describe, it } from 'node:test';
import {
  AuthenticationError,
  AuthenticationUnavailableError,
} from '../src/authentication-error.js';
import { BasicAuthenticator, type BasicAuthenticatorOptions } from '../src/basic-authenticator.js';

const USER = 'alice@example.com';
const PASSWORD = 'Xq7-app-password-Lm2';
const TTL = 60_000;

/** Plays Nextcloud: knows one password per user, counts the checks. */
function fakeNextcloud(passwords: Record<string, string> = { [USER]: PASSWORD }) {
  const calls: { username: string; forwardedFor: readonly string[] }[] = [];
  const verify: BasicAuthenticatorOptions['verify'] = async (username, password, forwardedFor) => {
    calls.push({ username, forwardedFor });
    return passwords[username] === password ? username.split('@')[0] : undefined;
  };
  return { verify, calls };
}

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The private fields of `target`, serialised, as a debugger (or a heap dump) would see them: Maps
 * as their entries, functions and promises as nothing.
 */
async function privateState(target: object): Promise<string> {
  const session = new Session();
  session.connect();
  const global = globalThis as { inspected?: object };
  global.inspected = target;
  try {
    const { result } = await session.post('Runtime.evaluate', {
      expression: 'globalThis.inspected',
    });
    // Node's typings predate the protocol's `privateProperties`.
    const properties = (await session.post('Runtime.getProperties', {
      objectId: result.objectId,
      ownProperties: true,
    })) as unknown as {
      privateProperties?: { name: string; value?: { objectId?: string; value?: unknown } }[];
    };
    const dumps: string[] = [];
    for (const { name, value } of properties.privateProperties ?? []) {
      if (value?.objectId === undefined) {
        dumps.push(`${name}=${JSON.stringify(value?.value)}`);
        continue;
      }
      const dump = await session.post('Runtime.callFunctionOn', {
        objectId: value.objectId,
        functionDeclaration:
          'function () { return JSON.stringify(this instanceof Map ? [...this] : this); }',
        returnByValue: true,
      });
      dumps.push(`${name}=${String(dump.result.value)}`);
    }
    return dumps.join('\n');
  } finally {
    delete global.inspected;
    session.disconnect();
  }
}

describe('BasicAuthenticator', () => {
  const create = (options: Partial<BasicAuthenticatorOptions> = {}) => {
    const nextcloud = fakeNextcloud();
    const clock = manualClock();
    const authenticator = new BasicAuthenticator({
      verify: nextcloud.verify,
      ttlMs: TTL,
      now: clock.now,
      ...options,
    });
    return { authenticator, nextcloud, clock };
  };

  it('resolves the uid Nextcloud answers, passing the forwarded addresses on', async () => {
    const { authenticator, nextcloud } = create();
    assert.equal(await authenticator.authenticate(USER, PASSWORD, ['203.0.113.7']), 'alice');
    assert.deepEqual(nextcloud.calls, [{ username: USER, forwardedFor: ['203.0.113.7'] }]);
  });

  it('answers a second check within the TTL from the cache, without asking Nextcloud', async () => {
    const { authenticator, nextcloud, clock } = create();
    await authenticator.authenticate(USER, PASSWORD, []);
    clock.advance(TTL - 1);
    assert.equal(await authenticator.authenticate(USER, PASSWORD, []), 'alice');
    assert.equal(nextcloud.calls.length, 1);
  });

  it('asks Nextcloud again once the TTL has passed', async () => {
    const { authenticator, nextcloud, clock } = create();
    await authenticator.authenticate(USER, PASSWORD, []);
    clock.advance(TTL);
    assert.equal(await authenticator.authenticate(USER, PASSWORD, []), 'alice');
    assert.equal(nextcloud.calls.length, 2);
  });

  it('rejects wrong credentials with a 401 and caches nothing, so every attempt reaches Nextcloud', async () => {
    const { authenticator, nextcloud } = create();
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(authenticator.authenticate(USER, 'wrong', []), (err) => {
        assert.ok(err instanceof AuthenticationError);
        assert.equal(err.status, 401);
        assert.equal(err.error, 'invalid_token');
        assert.equal(err.wwwAuthenticate, 'Basic realm="Nextcloud", charset="UTF-8"');
        return true;
      });
    }
    assert.equal(nextcloud.calls.length, 2);
  });

  it('does not answer another password of a cached user from the cache', async () => {
    const { authenticator, nextcloud } = create();
    await authenticator.authenticate(USER, PASSWORD, []);
    await assert.rejects(authenticator.authenticate(USER, `${PASSWORD}x`, []), AuthenticationError);
    assert.equal(nextcloud.calls.length, 2);
  });

  it('keeps user and password apart: "a:b" + "c" is not "a" + "b:c"', async () => {
    const nextcloud = fakeNextcloud({ 'a:b': 'c', a: 'b:c' });
    const authenticator = new BasicAuthenticator({ verify: nextcloud.verify });
    assert.equal(await authenticator.authenticate('a:b', 'c', []), 'a:b');
    assert.equal(await authenticator.authenticate('a', 'b:c', []), 'a');
    assert.equal(nextcloud.calls.length, 2);
  });

  it('runs one Nextcloud check for concurrent identical requests', async () => {
    const answer = deferred<string | undefined>();
    let calls = 0;
    const { authenticator } = create({
      verify: () => {
        calls++;
        return answer.promise;
      },
    });
    const both = Promise.all([
      authenticator.authenticate(USER, PASSWORD, []),
      authenticator.authenticate(USER, PASSWORD, []),
    ]);
    answer.resolve('alice');
    assert.deepEqual(await both, ['alice', 'alice']);
    assert.equal(calls, 1);
  });

  it('fails every joined request when the shared check finds the credentials wrong', async () => {
    const answer = deferred<string | undefined>();
    const { authenticator } = create({ verify: () => answer.promise });
    const first = authenticator.authenticate(USER, PASSWORD, []);
    const second = authenticator.authenticate(USER, PASSWORD, []);
    answer.resolve(undefined);
    await assert.rejects(first, AuthenticationError);
    await assert.rejects(second, AuthenticationError);
  });

  it('rejects with a 503 naming no credentials when Nextcloud cannot answer, and retries next time', async () => {
    const outage = new Error('Error while connecting to nextcloud: connect ECONNREFUSED');
    let down = true;
    const nextcloud = fakeNextcloud();
    const { authenticator } = create({
      verify: (...args) => (down ? Promise.reject(outage) : nextcloud.verify(...args)),
    });
    await assert.rejects(authenticator.authenticate(USER, PASSWORD, []), (err) => {
      assert.ok(err instanceof AuthenticationUnavailableError);
      assert.equal(err.status, 503);
      assert.equal(err.cause, outage);
      assert.ok(!err.message.includes(PASSWORD));
      return true;
    });
    down = false;
    assert.equal(await authenticator.authenticate(USER, PASSWORD, []), 'alice');
  });

  it('evicts the oldest entry when the cache is full', async () => {
    const nextcloud = fakeNextcloud({ a: 'pa', b: 'pb', c: 'pc' });
    const authenticator = new BasicAuthenticator({ verify: nextcloud.verify, maxEntries: 2 });
    for (const user of ['a', 'b', 'c']) await authenticator.authenticate(user, `p${user}`, []);
    await authenticator.authenticate('c', 'pc', []);
    await authenticator.authenticate('b', 'pb', []);
    assert.equal(nextcloud.calls.length, 3);
    await authenticator.authenticate('a', 'pa', []);
    assert.equal(nextcloud.calls.length, 4);
  });

  it('never holds the password in its cache or its pending checks', async () => {
    const answer = deferred<string | undefined>();
    const { authenticator } = create({ verify: () => answer.promise });
    const pending = authenticator.authenticate(USER, PASSWORD, []);
    const forbidden = [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];
    const whilePending = await privateState(authenticator);
    answer.resolve('alice');
    await pending;
    const cached = await privateState(authenticator);
    // The inspection works: it sees the pending check's key, then the cached uid.
    assert.match(whilePending, /#checking=\[\["[\w-]{43}",\{\}\]\]/);
    assert.match(cached, /#entries=\[\["[\w-]{43}",\{"uid":"alice"/);
    for (const state of [whilePending, cached]) {
      for (const secret of forbidden) assert.ok(!state.includes(secret), state);
    }
  });
});
