// pnpm bench:solid: the gateway's Solid notifications side by side with Community Solid Server
// 7.2.0 (installed into bench/.cache/ on first use), the same client workload against both:
//   - subscriptions per second (WebSocketChannel2023 POSTs on one topic, 32 in flight)
//   - one change fanned out to 200 open channels: time to the last socket, p50/p99
//   - the gateway alone: fan-out to 10,000 channels (next to the floor: a bare ws server sending
//     a frame of the same size to as many sockets), publish → socket latency at 100 events/s, and
//     RSS with 100,000 stored channels loaded
// CSS gets PUTs on a public resource; the gateway gets what Nextcloud does on a write (a new
// etag in oc_filecache, then notify_storage_update). Each figure is the median of --runs runs.
// Options: --runs N, --skip-css, --css-subscriptions N, --subscriptions N, --profile DIR (a CPU
// profile of each gateway process).
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { bareWsFloor } from './bare-ws-floor.js';
import { CSS_VERSION, startCss } from './css-server.js';
import { cssFanout, cssSubscriptionsPerSecond } from './css-workload.js';
import {
  gatewayEventLatency,
  gatewayFanout,
  gatewaySubscriptionsPerSecond,
  rssWithStoredChannels,
  startGatewaySolid,
  summary,
} from './gateway-solid.js';
import { median, percentile } from './percentile.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'skip-css': { type: 'boolean', default: false },
    subscriptions: { type: 'string', default: '3000' },
    'css-subscriptions': { type: 'string', default: '150' },
    profile: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const FANOUT_ROUNDS = 20;
/** A notification as the gateway writes it, for the bare-ws floor: same size, same bytes. */
const SAMPLE_FRAME = JSON.stringify({
  '@context': [
    'https://www.w3.org/ns/activitystreams',
    'https://www.w3.org/ns/solid/notification/v1',
  ],
  id: 'urn:uuid:5b2e7c1e-3f0a-4a43-9c55-3d2f5a1f1e0c',
  type: 'Update',
  object: 'http://127.0.0.1:40000/remote.php/dav/files/bench/fanout-10k.txt',
  state: '"bench-12"',
  published: '2026-12-01T12:00:00.000Z',
});

async function main() {
  console.log(
    `bench:solid on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString()}, ${RUNS} runs`,
  );
  const css = args['skip-css'] ? undefined : await measureCss();
  const gateway = await measureGateway();
  console.log('\nsummary (medians)');
  row('subscriptions/s', gateway.subscriptions, css?.subscriptions, '≥ 50× CSS');
  row('fan-out to 200, p50 ms', gateway.fanout200p50, css?.fanout200p50, '≤ 10 ms');
  row('fan-out to 200, p99 ms', gateway.fanout200p99, css?.fanout200p99, '');
  row('fan-out to 10,000, p50 ms', gateway.fanout10kp50, undefined, '');
  row('fan-out to 10,000, p99 ms', gateway.fanout10kp99, undefined, '≤ 200 ms');
  row('  floor (bare ws, same frame), p50 ms', gateway.floor10kp50, undefined, '');
  row('  floor (bare ws, same frame), p99 ms', gateway.floor10kp99, undefined, '');
  row('event→socket at 100/s, p50 ms', gateway.eventP50, undefined, '');
  row('event→socket at 100/s, p99 ms', gateway.eventP99, undefined, '≤ 10 ms');
  row('RSS MiB (gateway: 100,000 channels)', gateway.rssMiB, css?.rssMiB, '≤ 300 MiB');
}

async function measureCss() {
  console.log(`\nCommunity Solid Server ${CSS_VERSION}`);
  const subscriptions: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // A fresh server per run: CSS keeps every channel in memory, so runs would pile up.
    const css = await startCss();
    try {
      const result = await cssSubscriptionsPerSecond(css, {
        count: Number(args['css-subscriptions']),
        concurrency: 32,
      });
      subscriptions.push(result.perSecond);
      const fanout = await cssFanout(css, { channels: 200, runs: FANOUT_ROUNDS });
      p50.push(fanout.p50Ms);
      p99.push(fanout.p99Ms);
      rss.push(fanout.rssBytes / 2 ** 20);
      console.log(
        `  run ${run + 1}: ${result.perSecond.toFixed(1)} subscriptions/s; fan-out to 200 p50 ${fanout.p50Ms.toFixed(1)} ms, p99 ${fanout.p99Ms.toFixed(1)} ms; RSS ${(fanout.rssBytes / 2 ** 20).toFixed(0)} MiB`,
      );
    } finally {
      await css.stop();
    }
  }
  return {
    subscriptions: median(subscriptions),
    fanout200p50: median(p50),
    fanout200p99: median(p99),
    rssMiB: median(rss),
  };
}

async function measureGateway() {
  console.log('\nnotify-gateway');
  const figures = {
    subscriptions: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    p50k: [] as number[],
    p99k: [] as number[],
    eventP50: [] as number[],
    eventP99: [] as number[],
    rss: [] as number[],
    floorP50: [] as number[],
    floorP99: [] as number[],
  };
  for (let run = 0; run < RUNS; run++) {
    const gateway = await startGatewaySolid({ profileDir: args.profile });
    try {
      const subscriptions = await gatewaySubscriptionsPerSecond(
        gateway,
        (await gateway.file('subscribe.txt')).topic,
        { count: Number(args.subscriptions), concurrency: 32 },
      );
      const fanout = await gatewayFanout(gateway, await gateway.file('fanout-200.txt'), {
        channels: 200,
        runs: FANOUT_ROUNDS,
      });
      const fanout10k = await gatewayFanout(gateway, await gateway.file('fanout-10k.txt'), {
        channels: 10_000,
        runs: FANOUT_ROUNDS,
      });
      const events = await gatewayEventLatency(gateway, await gateway.file('events.txt'), {
        events: 1_000,
        rate: 100,
      });
      const rss = (await rssWithStoredChannels(gateway, 100_000)) / 2 ** 20;
      const floor = await bareWsFloor(10_000, SAMPLE_FRAME, FANOUT_ROUNDS);
      figures.subscriptions.push(subscriptions);
      figures.p50.push(percentile(fanout, 50));
      figures.p99.push(percentile(fanout, 99));
      figures.p50k.push(percentile(fanout10k, 50));
      figures.p99k.push(percentile(fanout10k, 99));
      figures.eventP50.push(percentile(events, 50));
      figures.eventP99.push(percentile(events, 99));
      figures.rss.push(rss);
      figures.floorP50.push(percentile(floor, 50));
      figures.floorP99.push(percentile(floor, 99));
      console.log(
        `  run ${run + 1}: ${subscriptions.toFixed(0)} subscriptions/s; fan-out to 200 ${summary(fanout)}; to 10,000 ${summary(fanout10k)}; event→socket at 100/s ${summary(events)}; RSS with 100,000 channels ${rss.toFixed(0)} MiB; bare-ws floor to 10,000 ${summary(floor)}`,
      );
    } finally {
      await gateway.stop();
    }
  }
  return {
    subscriptions: median(figures.subscriptions),
    fanout200p50: median(figures.p50),
    fanout200p99: median(figures.p99),
    fanout10kp50: median(figures.p50k),
    fanout10kp99: median(figures.p99k),
    eventP50: median(figures.eventP50),
    eventP99: median(figures.eventP99),
    rssMiB: median(figures.rss),
    floor10kp50: median(figures.floorP50),
    floor10kp99: median(figures.floorP99),
  };
}

function row(name: string, gateway: number, css: number | undefined, target: string) {
  const ratio = css === undefined ? '' : `  (gateway/CSS ${(gateway / css).toFixed(2)}×)`;
  const cssText = css === undefined ? '' : `  CSS ${css.toFixed(1)}`;
  console.log(`  ${name.padEnd(38)} gateway ${gateway.toFixed(1)}${cssText}${ratio}  ${target}`);
}

await main();
