// The CSS side of bench:solid on its own: `npx tsx bench/css-alone.ts` from the repository root.
// Starts Community Solid Server 7.2.0 (installed into bench/.cache/ on first use), runs the
// subscription, fan-out and webhook measurements of css-workload.ts, prints them and stops it.
// Options: --subscriptions N --concurrency N --channels N --runs N --events N --rate N.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { CSS_VERSION, startCss } from './css-server.js';
import { cssFanout, cssSubscriptionsPerSecond, cssWebhookLatency } from './css-workload.js';

const { values: args } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '10' },
    channels: { type: 'string', default: '200' },
    runs: { type: 'string', default: '20' },
    events: { type: 'string', default: '100' },
    rate: { type: 'string', default: '100' },
  },
});

async function main() {
  console.log(
    `CSS ${CSS_VERSION} alone on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString()}`,
  );
  const css = await startCss();
  try {
    console.log(`CSS pid ${css.pid} at ${css.baseUrl}, idle RSS ${mib(await css.rssBytes())}`);
    const subscriptions = await cssSubscriptionsPerSecond(css, {
      count: Number(args.subscriptions),
      concurrency: Number(args.concurrency),
    });
    console.log(
      `subscriptions: ${subscriptions.ok} in ${subscriptions.seconds.toFixed(2)} s (${args.concurrency} in flight, ${subscriptions.failed} failed) → ${subscriptions.perSecond.toFixed(1)} /s`,
    );
    const fanout = await cssFanout(css, {
      channels: Number(args.channels),
      runs: Number(args.runs),
    });
    console.log(
      `fan-out of one PUT to ${args.channels} WebSocket channels, ${args.runs} runs: time to last socket p50 ${fanout.p50Ms.toFixed(1)} ms, p99 ${fanout.p99Ms.toFixed(1)} ms (runs: ${fanout.lastMs.map((ms) => ms.toFixed(0)).join(' ')})`,
    );
    console.log(`CSS RSS after the fan-out, sockets open: ${mib(fanout.rssBytes)}`);
    const webhooks = await cssWebhookLatency(css, {
      events: Number(args.events),
      ratePerSecond: Number(args.rate),
    });
    console.log(
      `webhooks: ${webhooks.received}/${webhooks.sent} events at ${args.rate}/s (PUTs answered at ${webhooks.achievedPerSecond.toFixed(0)}/s), PUT start → receipt p50 ${webhooks.p50Ms.toFixed(1)} ms, p99 ${webhooks.p99Ms.toFixed(1)} ms (max ${webhooks.maxMs.toFixed(1)} ms)`,
    );
  } finally {
    await css.stop();
  }
}

function mib(bytes: number) {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

await main();
