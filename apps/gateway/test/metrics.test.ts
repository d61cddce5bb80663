// `/metrics` on the metrics listener (reference/notify_push.md §6.3): upstream's lines exactly and
// in order, then the gateway's own Prometheus series; on a TCP port or a Unix socket.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestCertificates } from '@gw/testkit';
import { connectAuth, type Stack, startStack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: 'bob-pw' },
];

describe('metrics on a TCP port', () => {
  let stack: Stack;
  let metricsUrl: string;

  before(async () => {
    stack = await startStack({ users, config: { metricsPort: 0 } });
    assert.ok(stack.gateway.metricsAddress?.startsWith('http://127.0.0.1:'));
    metricsUrl = `${stack.gateway.metricsAddress}/metrics`;
  });
  after(async () => {
    await stack.close();
  });

  it("starts with upstream's ten lines, in upstream's order, without HELP or TYPE", async () => {
    const alice = await connectAuth(stack, 'alice', 'alice-pw');
    const bob = await connectAuth(stack, 'bob', 'bob-pw');
    const bobAgain = await connectAuth(stack, 'bob', 'bob-pw');
    await stack.nextcloud.activity('alice');
    assert.equal(await alice.next(), 'notify_activity');
    await stack.nextcloud.custom('bob', 'hello');
    assert.equal(await bob.next(), 'hello');
    assert.equal(await bobAgain.next(), 'hello');

    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const lines = (await response.text()).split('\n');
    assert.deepEqual(lines.slice(0, 10), [
      'active_connection_count 3',
      'active_user_count 2',
      'total_connection_count 3',
      `mapping_query_count ${stack.gateway.mapping.stats.queries}`,
      `event_count_total ${stack.gateway.ingest.stats.received}`,
      'message_count_total 3',
      'message_count_total{type="file"} 0',
      'message_count_total{type="notification"} 0',
      'message_count_total{type="activity"} 1',
      'message_count_total{type="custom"} 2',
    ]);
    assert.ok(lines[10]?.startsWith('# HELP '), 'the gateway series follow');
    for (const client of [alice, bob, bobAgain]) client.close();
  });

  it('adds the gateway series with HELP and TYPE: Redis, mapping, handshakes, messages, Solid, event loop', async () => {
    const body = await (await fetch(metricsUrl)).text();
    for (const expected of [
      '# TYPE gw_redis_subscribed gauge',
      'gw_redis_subscribed 1',
      '# TYPE gw_mapping_queries_total counter',
      '# TYPE gw_mapping_cache_hits_total counter',
      '# TYPE gw_mapping_errors_total counter',
      '# TYPE gw_ws_handshake_duration_seconds histogram',
      'gw_ws_handshake_duration_seconds_count{outcome="authenticated"} 3',
      'gw_ws_messages_sent_total{type="custom"} 2',
      'gw_ws_messages_sent_total{type="activity"} 1',
      '# TYPE gw_nodejs_eventloop_lag_seconds gauge',
      '# TYPE gw_ingest_messages_total counter',
      'gw_ws_connections{protocol="solid"} 0',
      'gw_solid_channels 0',
      '# TYPE gw_solid_notifications_sent_total counter',
    ]) {
      assert.ok(body.includes(`${expected}\n`), `missing ${expected}`);
    }
  });

  it('answers any method on /metrics and 404 elsewhere', async () => {
    assert.equal((await fetch(metricsUrl, { method: 'POST' })).status, 200);
    assert.equal((await fetch(`${stack.gateway.metricsAddress}/`)).status, 404);
    assert.equal((await fetch(`${stack.gateway.metricsAddress}/metrics/x`)).status, 404);
  });

  it('is not served on the main listener', async () => {
    assert.equal((await fetch(`${stack.gateway.url}/metrics`)).status, 404);
  });
});

/** GET over `options` (a Unix socket, or TLS with a self-signed certificate); resolves the body. */
function get(client: typeof http | typeof https, options: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    client
      .get(options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}

describe('metrics over TLS', () => {
  let stack: Stack;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-metrics-tls-'));
    const { serverCertPath: certPath, serverKeyPath: keyPath } = createTestCertificates(dir);
    stack = await startStack({ config: { metricsPort: 0, tls: { certPath, keyPath } } });
  });
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics with the configured certificate, as the main listener would', async () => {
    const url = new URL(`${stack.gateway.metricsAddress}/metrics`);
    assert.equal(url.protocol, 'https:');
    const body = await get(https, {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      rejectUnauthorized: false,
    });
    assert.ok(body.startsWith('active_connection_count 0\n'));
  });
});

describe('metrics on a Unix socket', () => {
  let stack: Stack;
  let dir: string;
  let socketPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-metrics-'));
    socketPath = join(dir, 'metrics.sock');
    writeFileSync(socketPath, 'left over from a previous run');
    stack = await startStack({
      config: { metricsSocketPath: socketPath, metricsPort: 0, socketPermissions: 0o640 },
    });
  });
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a stale socket file, serves there (winning over the port) with the configured mode', async () => {
    assert.equal(stack.gateway.metricsAddress, `unix:${socketPath}`);
    const stats = statSync(socketPath);
    assert.ok(stats.isSocket());
    assert.equal(stats.mode & 0o777, 0o640);
    const body = await get(http, { socketPath, path: '/metrics' });
    assert.ok(body.startsWith('active_connection_count 0\n'));
  });
});
