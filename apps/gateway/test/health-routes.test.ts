// `/livez` and `/readyz` on the main listener (reference/ecosystem.md §6.3) with real outages:
// Redis killed and restarted, a database that does not answer, a gateway shutting down.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@gw/testkit';
import { WebSocket } from 'ws';
import { type Stack, startStack } from './stack.js';

async function probe(stack: Stack, path: string) {
  const response = await fetch(`${stack.gateway.url}${path}`);
  return { status: response.status, body: (await response.json()) as unknown };
}

/** Polls /readyz until it answers `status`, for up to five seconds. */
async function readyzBecomes(stack: Stack, status: number) {
  let last = await probe(stack, '/readyz');
  for (let i = 0; i < 100 && last.status !== status; i++) {
    await sleep(50);
    last = await probe(stack, '/readyz');
  }
  assert.equal(last.status, status, JSON.stringify(last.body));
  return last.body;
}

describe('health with everything up', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ legacy: { closeGraceMs: 1_000 } });
  });
  after(async () => {
    await stack.close();
  });

  it('answers /livez and /readyz with 200', async () => {
    assert.deepEqual(await probe(stack, '/livez'), { status: 200, body: { live: true } });
    assert.deepEqual(await probe(stack, '/readyz'), { status: 200, body: { ready: true } });
  });

  it('is not ready while Redis is down, stays live, and is ready again once it is back', async () => {
    await stack.redis.kill();
    const body = await readyzBecomes(stack, 503);
    assert.deepEqual(Object.keys((body as { failed: object }).failed), ['redis']);
    assert.equal((await probe(stack, '/livez')).status, 200);
    await stack.redis.start();
    await readyzBecomes(stack, 200);
  });

  it('is not ready once shutdown began', async () => {
    // A client that never reads keeps the shutdown waiting for its close frame.
    const client = new WebSocket(`${stack.wsUrl}`);
    await new Promise((resolve) => client.once('open', resolve));
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    const closing = stack.gateway.close();
    const { status, body } = await probe(stack, '/readyz');
    assert.equal(status, 503);
    assert.deepEqual(body, { ready: false, failed: { shutdown: 'shutting down' } });
    await closing;
    client.terminate();
  });
});

describe('health with the database unreachable', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({
      config: { databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/nextcloud` },
      readinessTimeoutMs: 300,
    });
  });
  after(async () => {
    await stack.close();
  });

  it('starts anyway, live but not ready, naming the database', async () => {
    assert.equal((await probe(stack, '/livez')).status, 200);
    const { status, body } = await probe(stack, '/readyz');
    assert.equal(status, 503);
    const failed = (body as { failed: Record<string, string> }).failed;
    assert.deepEqual(Object.keys(failed), ['database']);
    assert.match(failed.database ?? '', /ECONNREFUSED|no answer/);
  });
});
