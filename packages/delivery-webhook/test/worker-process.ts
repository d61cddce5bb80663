// A WebhookWorker in a process of its own, for the crash test to kill -9 mid-attempt.
// Usage: node --import tsx test/worker-process.ts <redis port> <queue prefix>
// Prints `attempting <message id>` as each attempt starts; the attempts never end.
import pino from 'pino';
import { WebhookWorker } from '../src/webhook-worker.js';

const [port, prefix] = process.argv.slice(2);

new WebhookWorker({
  redis: { host: '127.0.0.1', port: Number(port) },
  prefix,
  logger: pino({ level: 'silent' }),
  // As short as the test's own worker: the lock this process leaves behind expires this soon.
  lockDurationMs: 500,
  stalledIntervalMs: 500,
  attempt: (message) => {
    process.stdout.write(`attempting ${message.id}\n`);
    return new Promise(() => {});
  },
  hooks: { isActive: () => true, onGone: () => {}, onDisabled: () => {} },
});
