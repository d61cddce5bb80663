// pnpm bench:webhooks: WebhookChannel2023 delivery, the gateway (one process, its worker in it)
// next to Community Solid Server 7.2.0 in one run:
//   - deliveries per second to local receivers: one change of each of 300 files, 10 channels on
//     each file, all to one receiver, and the same spread over 10 receivers (origins); timed
//     after one such burst that warms the process up (its figure is printed too)
//   - publish → receipt p50/p99 at 100 events/s, one channel to one receiver
//   - the same while a second channel on the same file delivers to a receiver that never answers
//     (its requests hang until the gateway's timeout); the healthy p99 must stay within 2×
//   - CSS: the same latency workload (PUT of a new resource in the channel's container → webhook
//     receipt) at 100 events/s, which it cannot keep up with here, and at 5/s, which it can
//   - the floor: BullMQ and plain POSTs with nothing of the gateway's, one process, same receiver
// The gateway gets what Nextcloud does on a write (a new etag in oc_filecache, then
// notify_storage_update); receivers are node:http servers in this process (webhook-receiver.ts).
// Each figure is the median of --runs runs, each on a fresh gateway (and CSS); the latencies are
// medians over three alternated pairs (alone, with a hanging destination) per run.
// Options: --runs N, --skip-css, --events N (the gateway's latency events per run), --profile DIR.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { bullmqPostFloor } from './bullmq-post-floor.js';
import { CSS_VERSION, startCss } from './css-server.js';
import { cssWebhookLatency, type WebhookResult } from './css-workload.js';
import { startGatewaySolid, summary } from './gateway-solid.js';
import { WEBHOOK_ENV, webhookLatency, webhookThroughput } from './gateway-webhooks.js';
import { median, percentile } from './percentile.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'skip-css': { type: 'boolean', default: false },
    events: { type: 'string', default: '1000' },
    profile: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const EVENTS = Number(args.events);
const RATE = 100;
/** CSS's events at RATE per run, and a rate it keeps up with on this machine. */
const CSS_EVENTS = 300;
const CSS_RATE = 5;
/** Latency measurements alone and with a hanging destination, alternated, per run. */
const LATENCY_PAIRS = 3;
const BURST = { files: 300, channelsPerFile: 10 };
const BURST_DELIVERIES = BURST.files * BURST.channelsPerFile;

interface Figures {
  coldOne: number[];
  throughputOne: number[];
  throughputTen: number[];
  aloneP50: number[];
  aloneP99: number[];
  hangingP50: number[];
  hangingP99: number[];
  floor: number[];
}

async function main() {
  console.log(
    `bench:webhooks on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString()}, ${RUNS} runs`,
  );
  const css = args['skip-css'] ? undefined : await measureCss();
  const gateway = await measureGateway();
  const alone = median(gateway.aloneP99);
  const hanging = median(gateway.hangingP99);
  console.log('\nsummary (medians)');
  row('deliveries/s, one receiver', median(gateway.throughputOne), '≥ 1,500/s');
  row('deliveries/s, ten receivers', median(gateway.throughputTen), '≥ 1,500/s');
  row('  first burst after start, per s', median(gateway.coldOne), '');
  row('  floor (BullMQ + bare POST), per s', median(gateway.floor), '');
  row('publish→receipt at 100/s, p50 ms', median(gateway.aloneP50), '', css?.p50);
  row('publish→receipt at 100/s, p99 ms', alone, '≤ 50 ms', css?.p99);
  if (css) {
    console.log(
      `  ${`  CSS at ${CSS_RATE}/s, p50 / p99 ms`.padEnd(38)} CSS ${css.sustainedP50.toFixed(1)} / ${css.sustainedP99.toFixed(1)}`,
    );
  }
  row('  with a hanging destination, p50 ms', median(gateway.hangingP50), '');
  row(
    '  with a hanging destination, p99 ms',
    hanging,
    `≤ 2× alone (${(hanging / alone).toFixed(2)}×)`,
  );
}

/**
 * CSS at the gateway's rate (fewer events: it falls far behind, and each run would take minutes)
 * and at a rate it keeps up with.
 */
async function measureCss() {
  console.log(`\nCommunity Solid Server ${CSS_VERSION}`);
  const atRate = { p50: [] as number[], p99: [] as number[] };
  const sustained = { p50: [] as number[], p99: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    const css = await startCss();
    try {
      const fast = await cssWebhookLatency(css, { events: CSS_EVENTS, ratePerSecond: RATE });
      const slow = await cssWebhookLatency(css, { events: 100, ratePerSecond: CSS_RATE });
      atRate.p50.push(fast.p50Ms);
      atRate.p99.push(fast.p99Ms);
      sustained.p50.push(slow.p50Ms);
      sustained.p99.push(slow.p99Ms);
      console.log(
        `  run ${run + 1}: at ${RATE}/s ${cssSummary(fast)}; at ${CSS_RATE}/s ${cssSummary(slow)}`,
      );
    } finally {
      await css.stop();
    }
  }
  return {
    p50: median(atRate.p50),
    p99: median(atRate.p99),
    sustainedP50: median(sustained.p50),
    sustainedP99: median(sustained.p99),
  };
}

function cssSummary(result: WebhookResult): string {
  return `PUT→webhook p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms; ${result.received} of ${result.sent} received, ${result.failedPuts} PUTs failed; PUTs answered ${result.achievedPerSecond.toFixed(1)}/s`;
}

async function measureGateway(): Promise<Figures> {
  console.log('\nnotify-gateway');
  const figures: Figures = {
    coldOne: [],
    throughputOne: [],
    throughputTen: [],
    aloneP50: [],
    aloneP99: [],
    hangingP50: [],
    hangingP99: [],
    floor: [],
  };
  for (let run = 0; run < RUNS; run++) {
    const gateway = await startGatewaySolid({ env: WEBHOOK_ENV, profileDir: args.profile });
    try {
      // A process that has run a while is what operators have; the first burst after a start
      // runs with V8 still compiling the path, so it is reported apart and not in the figure.
      const cold = await webhookThroughput(gateway, { ...BURST, destinations: 1 });
      figures.coldOne.push(cold.perSecond);
      const one = await webhookThroughput(gateway, { ...BURST, destinations: 1 });
      const ten = await webhookThroughput(gateway, { ...BURST, destinations: 10 });
      const floor = median(await bullmqPostFloor(gateway.redisUrl, BURST_DELIVERIES, 3));
      figures.floor.push(floor);
      figures.throughputOne.push(one.perSecond);
      figures.throughputTen.push(ten.perSecond);
      console.log(
        `  run ${run + 1}: first burst after start ${cold.perSecond.toFixed(0)}/s; then ${one.perSecond.toFixed(0)} deliveries/s to one receiver (${one.received} in ${one.seconds.toFixed(2)} s), ${ten.perSecond.toFixed(0)}/s to ten; floor ${floor.toFixed(0)}/s`,
      );
      // Alternated, several times: a p99 over 1,000 events is decided by one stall of this
      // shared machine, so a single pair says little about the hanging destination's effect.
      for (let pair = 0; pair < LATENCY_PAIRS; pair++) {
        const alone = await webhookLatency(gateway, await gateway.file(`alone-${pair}.txt`), {
          events: EVENTS,
          rate: RATE,
        });
        const hanging = await webhookLatency(gateway, await gateway.file(`hanging-${pair}.txt`), {
          events: EVENTS,
          rate: RATE,
          hanging: true,
        });
        figures.aloneP50.push(percentile(alone.latencies, 50));
        figures.aloneP99.push(percentile(alone.latencies, 99));
        figures.hangingP50.push(percentile(hanging.latencies, 50));
        figures.hangingP99.push(percentile(hanging.latencies, 99));
        console.log(
          `    publish→receipt at ${RATE}/s ${summary(alone.latencies)}; with a hanging destination ${summary(hanging.latencies)} (${hanging.hanging?.requests} requests to it, ${hanging.hanging?.open} still open)`,
        );
      }
    } finally {
      await gateway.stop();
    }
  }
  return figures;
}

function row(name: string, gateway: number, target: string, css?: number) {
  const cssText = css === undefined ? '' : `  CSS ${css.toFixed(1)}`;
  console.log(`  ${name.padEnd(38)} gateway ${gateway.toFixed(1)}${cssText}  ${target}`);
}

await main();
