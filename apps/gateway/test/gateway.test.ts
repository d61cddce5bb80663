// The gateway end to end with the simulated Nextcloud doing what Nextcloud does: file writes
// through its filecache (with propagation to the parents), shares, and the debounce that real
// deployments run with.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWebSocket } from '@gw/testkit';
import { connectAuth, type Stack, startStack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: 'bob-pw' },
  { uid: 'carol', password: 'carol-pw' },
];

function fileIds(frame: string): number[] {
  const match = /^notify_file_id (\[.*\])$/.exec(frame);
  assert.ok(match?.[1], `expected notify_file_id, got ${frame}`);
  return JSON.parse(match[1]) as number[];
}

describe('gateway with debouncing on', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ users, config: { debounceDisable: false } });
    await stack.nextcloud.mkdir('alice', 'files/Project');
    await stack.nextcloud.share('alice', 'files/Project', 'bob');
  });
  after(async () => {
    await stack.close();
  });

  it('coalesces a write and its parent updates into one notify_file_id for owner and recipient', async () => {
    const alice = await connectAuth(stack, 'alice', 'alice-pw');
    const bob = await connectAuth(stack, 'bob', 'bob-pw');
    const carol = await connectAuth(stack, 'carol', 'carol-pw');
    for (const client of [alice, bob, carol]) client.send('listen notify_file_id');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { fileId } = await stack.nextcloud.writeFile('alice', 'files/Project/plan.md', '# plan');

    const aliceIds = fileIds(await alice.next(3_000));
    const bobIds = fileIds(await bob.next(3_000));
    assert.ok(aliceIds.includes(fileId), `alice got ${aliceIds}`);
    assert.ok(aliceIds.length >= 2, 'the parent folders came in the same frame');
    assert.ok(bobIds.includes(fileId), `bob got ${bobIds}`);
    await carol.nothingWithin(300);
    await alice.nothingWithin(300);
    for (const client of [alice, bob, carol]) client.close();
  });

  it('sends plain notify_file to a client that did not opt into ids', async () => {
    const alice = await connectAuth(stack, 'alice', 'alice-pw');
    await stack.nextcloud.writeFile('alice', 'files/notes.txt', 'hello');
    assert.equal(await alice.next(3_000), 'notify_file');
    alice.close();
  });

  it("forwards the client's address chain to Nextcloud's credential check", async () => {
    const client = await TestWebSocket.open(stack.wsUrl, {
      headers: { 'X-Forwarded-For': '203.0.113.7, 198.51.100.2' },
    });
    client.send('carol', 'carol-pw');
    assert.equal(await client.next(), 'authenticated');
    const check = stack.nextcloud.requests.findLast((request) => request.path.endsWith('/uid'));
    assert.equal(check?.forwardedFor, '203.0.113.7, 198.51.100.2, 127.0.0.1');
    assert.equal(check?.userAgent, undefined, 'no User-Agent unless configured');
    client.close();
  });

  it('closes every connection on the reset signal', async () => {
    const alice = await connectAuth(stack, 'alice', 'alice-pw');
    await stack.nextcloud.publish('notify_signal', '"reset"');
    assert.equal(await alice.closed, 1012);
  });
});
