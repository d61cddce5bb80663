import { randomUUID } from 'node:crypto';
import type { WebhookMessage } from '../src/webhook-message.js';

/** A message to `https://a.example/hook` with a fresh id. */
export function testMessage(overrides: Partial<WebhookMessage> = {}): WebhookMessage {
  return {
    id: `msg_${randomUUID()}`,
    subscriptionId: 'sub-1',
    url: 'https://a.example/hook',
    contentType: 'application/ld+json',
    body: '{"type":"Update"}',
    createdAt: Date.now(),
    ...overrides,
  };
}

/** A queue prefix of its own per test, so tests sharing a Redis never see each other's jobs. */
export function testPrefix(): string {
  return `{gw-test-${randomUUID().slice(0, 8)}}`;
}
