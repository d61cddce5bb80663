/**
 * A self-test request to Nextcloud failed. The message is upstream's text for the failure,
 * because the push server answers it verbatim to `occ notify_push:self-test` (§6.1).
 */
export class SelfTestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelfTestError';
  }
}
