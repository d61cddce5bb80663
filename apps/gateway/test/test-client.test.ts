import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { until } from '@gw/testkit';
import { runTestClient } from '../src/test-client.js';
import { type Stack, startStack } from './stack.js';

describe('test client', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ users: [{ uid: 'alice', password: 'alice-pw' }] });
    stack.nextcloud.baseEndpoint = `http://127.0.0.1:${stack.gateway.port}/push`;
  });
  after(async () => {
    await stack.close();
  });

  it('explains a missing capability', async () => {
    await assert.rejects(
      runTestClient({
        url: stack.nextcloud.url,
        username: 'alice',
        password: 'nope',
        print: () => {},
      }),
      /no notify_push capability: check the username and password/,
    );
  });

  it('fails on an err: reply when given the WebSocket URL directly', async () => {
    await assert.rejects(
      runTestClient({ url: stack.wsUrl, username: 'alice', password: 'nope', print: () => {} }),
      /^TestClientError: err: Invalid credentials$/,
    );
  });

  // Last: it stops the gateway.
  it('discovers the endpoint from the capabilities, authenticates and prints file ids', async () => {
    const lines: string[] = [];
    const running = runTestClient({
      url: stack.nextcloud.url,
      username: 'alice',
      password: 'alice-pw',
      print: (line) => lines.push(line),
    });
    await until(() => lines.some((line) => line.endsWith(' authenticated')));
    assert.equal(lines[0], `connecting to ws://127.0.0.1:${stack.gateway.port}/push/ws`);
    const { fileId } = await stack.nextcloud.writeFile('alice', 'files/a.txt', 'a');
    await until(() => lines.some((line) => line.includes(`notify_file_id [${fileId}]`)));
    await stack.gateway.close();
    await running;
    assert.equal(lines.at(-1), 'connection closed (1001)');
  });
});
