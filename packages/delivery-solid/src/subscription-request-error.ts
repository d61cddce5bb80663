/** Why a subscription request was refused, with the HTTP status each reason answers. */
const STATUS_CODES = {
  /** The body is not JSON or not Turtle. */
  GW_SOLID_UNPARSABLE: 400,
  /** No Content-Type, an unsupported one, or an unsupported JSON-LD `profile` (the spec's 415). */
  GW_SOLID_MEDIA_TYPE: 415,
  /** JSON that JSON-LD cannot process, including an unrecognised `@context` (the spec's 422). */
  GW_SOLID_JSON_LD: 422,
  /** Well-formed RDF that is not a valid channel request for this subscription service. */
  GW_SOLID_INVALID_CHANNEL: 422,
} as const;

export type SubscriptionRequestErrorCode = keyof typeof STATUS_CODES;

/**
 * A subscription request the gateway refuses. The message goes back in the HTTP body, so it
 * says what to send instead (reference/solid.md §3.8 lists CSS's terser ones).
 */
export class SubscriptionRequestError extends Error {
  readonly statusCode: 400 | 415 | 422;

  constructor(
    readonly code: SubscriptionRequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SubscriptionRequestError';
    this.statusCode = STATUS_CODES[code];
  }
}
