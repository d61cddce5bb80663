import { randomBytes } from 'node:crypto';

/** `ISecureRandom`'s default alphabet: 64 characters, so one random byte masked to 6 bits is uniform. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `ISecureRandom::generate($length)` with the default characters. */
export function secureRandomString(length: number): string {
  return Array.from(randomBytes(length), (byte) => ALPHABET.charAt(byte & 63)).join('');
}
