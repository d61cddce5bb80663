import { createHmac, randomBytes } from 'node:crypto';

/** What a Standard Webhooks signature covers. */
export interface SignatureInput {
  /** The subscription's secret, `whsec_` + base64 of 24–64 random bytes. */
  secret: string;
  /** `webhook-id`: the message id, the same on every attempt. */
  id: string;
  /** `webhook-timestamp`: Unix seconds of this attempt, so receivers can refuse stale replays. */
  timestamp: number;
  /** The exact body sent. */
  body: string;
}

/** The three Standard Webhooks headers. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The secret cannot sign: not `whsec_` + base64 of 24–64 bytes. Never carries the secret. */
export class InvalidWebhookSecretError extends Error {
  constructor(detail: string) {
    super(`invalid webhook secret: ${detail}`);
    this.name = 'InvalidWebhookSecretError';
  }
}

const PREFIX = 'whsec_';
/** The spec's bounds on a symmetric secret (Standard Webhooks §"Symmetric"). */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
/** Canonical base64 with padding: `Buffer.from(…, 'base64')` would skip any other character. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The headers that let a receiver check a delivery came from the gateway, unchanged (Standard
 * Webhooks v1: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the decoded secret).
 * Throws {@link InvalidWebhookSecretError} for a malformed secret, and a `TypeError` for an id
 * containing `.` or a timestamp that is not whole seconds, which would make the content ambiguous.
 */
export function signatureHeaders(input: SignatureInput): SignatureHeaders {
  const { id, timestamp, body } = input;
  if (id === '' || id.includes('.'))
    throw new TypeError('the webhook id must be non-empty, no "."');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError(`the webhook timestamp must be whole Unix seconds, not ${timestamp}`);
  }
  const hmac = createHmac('sha256', secretKey(input.secret));
  const signature = hmac.update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}

/** The key bytes, as verifiers decode them: strip `whsec_`, then base64-decode. */
function secretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new InvalidWebhookSecretError(`no "${PREFIX}" prefix`);
  const encoded = secret.slice(PREFIX.length);
  if (!BASE64.test(encoded)) throw new InvalidWebhookSecretError('not base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new InvalidWebhookSecretError(
      `${key.length} bytes, not ${MIN_SECRET_BYTES}–${MAX_SECRET_BYTES}`,
    );
  }
  return key;
}
