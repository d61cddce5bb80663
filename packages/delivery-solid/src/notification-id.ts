import { createHash } from 'node:crypto';

/**
 * A notification id derived from what it is about: the same on every replica that sees the same
 * change, so receivers (and the webhook queue, which keys jobs by it) can tell duplicates from
 * news. A UUIDv8 (RFC 9562's custom version) over SHA-256 of the parts, written as a `urn:uuid:`,
 * unlike CSS's colliding `urn:<ms>:<topic>` (reference/solid.md §1.6).
 */
export function notificationId(...parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.join('\n')).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x80; // version 8
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80; // the RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
