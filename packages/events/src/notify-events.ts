import { z } from 'zod';

/**
 * The Redis pub/sub channels the Nextcloud `notify_push` app publishes on, with their exact
 * payloads (reference/notify_push.md §3.2). Unknown fields are ignored, as upstream does.
 */
const u32 = z.number().int().min(0).max(0xffff_ffff);
const fileId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const user = z.string();

export const notifyPayloadSchemas = {
  notify_storage_update: z.object({ storage: u32, path: z.string(), file_id: fileId }),
  notify_group_membership_update: z.object({ user, group: z.string() }),
  notify_user_share_created: z.object({ user }),
  notify_activity: z.object({ user }),
  notify_notification: z.object({ user }),
  notify_pre_auth: z.object({ user, token: z.string() }),
  notify_custom: z.object({
    user,
    message: z.string(),
    body: z
      .unknown()
      .optional()
      .transform((body) => body ?? null),
  }),
  notify_test_cookie: u32,
  notify_config: z.union([z.object({ log_spec: z.string() }), z.literal('log_restore')]),
  notify_query: z.literal('metrics'),
  notify_signal: z.literal('reset'),
  // Not Nextcloud's: the gateway's replicas keep their Solid channel indexes in step on it. Its
  // messages are checked in full by the Solid delivery; here only that they are gateway ones.
  notify_gateway_channels: z.looseObject({ origin: z.string() }),
} as const;

export type NotifyChannel = keyof typeof notifyPayloadSchemas;

export const NOTIFY_CHANNELS = Object.keys(notifyPayloadSchemas) as NotifyChannel[];

/** A validated message from one of the `notify_*` channels. */
export type NotifyEvent = {
  [C in NotifyChannel]: { channel: C; payload: z.output<(typeof notifyPayloadSchemas)[C]> };
}[NotifyChannel];

export type NotifyEventOf<C extends NotifyChannel> = Extract<NotifyEvent, { channel: C }>;

export function isNotifyChannel(name: string): name is NotifyChannel {
  return Object.hasOwn(notifyPayloadSchemas, name);
}

export class NotifyDecodeError extends Error {
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
    this.name = 'NotifyDecodeError';
  }
}

/**
 * Decodes one pub/sub message. Throws {@link NotifyDecodeError} for an unknown channel, invalid
 * JSON or a payload of the wrong shape; the message says which.
 */
export function decodeNotifyMessage(channel: string, raw: string): NotifyEvent {
  if (!isNotifyChannel(channel)) {
    throw new NotifyDecodeError(channel, `unknown channel ${JSON.stringify(channel)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new NotifyDecodeError(channel, 'payload is not valid JSON');
  }
  const result = notifyPayloadSchemas[channel].safeParse(json);
  if (!result.success) {
    throw new NotifyDecodeError(channel, `invalid payload: ${z.prettifyError(result.error)}`);
  }
  return { channel, payload: result.data } as NotifyEvent;
}
