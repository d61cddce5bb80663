/** Why the gateway refused a Solid request after parsing it, with the HTTP status of each. */
const STATUS_CODES = {
  /** Authenticated, but the topic or channel belongs to someone else, or the WebID to no user. */
  GW_SOLID_FORBIDDEN: 403,
  /** The owner has as many live channels as the quota allows. */
  GW_SOLID_QUOTA: 403,
  /** No live channel has this id. */
  GW_SOLID_UNKNOWN_CHANNEL: 404,
  /** None of the media types the client accepts can be written. */
  GW_SOLID_NOT_ACCEPTABLE: 406,
  /** The topic is not a resource of this Nextcloud, or the dates do not make a window. */
  GW_SOLID_INVALID_TOPIC: 422,
  GW_SOLID_INVALID_WINDOW: 422,
  /** A webhook destination the gateway will not POST to (not https, a private address…). */
  GW_SOLID_INVALID_DESTINATION: 422,
  /** The channel store cannot be reached: nothing was stored, try again. */
  GW_SOLID_UNAVAILABLE: 503,
} as const;

export type SolidErrorCode = keyof typeof STATUS_CODES;

/** A Solid request refused for a reason the client can act on; the message is the HTTP body. */
export class SolidError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: SolidErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SolidError';
    this.statusCode = STATUS_CODES[code];
  }
}
