/**
 * How the gateway ends a WebSocketChannel2023 socket. The spec defines none
 * (reference/solid.md §2.1); CSS sends a text line and closes without a code. The gateway sends
 * the same line first, so CSS-style clients still see a message, and then a code a client can
 * act on.
 */
export const SolidCloseCode = {
  /** The gateway shuts down: reconnect. */
  goingAway: 1001,
  /** The receiver could not keep up with its notifications: reconnect (and resync via `state`). */
  tryAgainLater: 1013,
  /** No live channel has this `receiveFrom`: it never existed, expired, or was deleted. */
  unknownChannel: 4404,
  /** The channel ended while the socket was open: deleted by its owner, or expired. */
  channelGone: 4410,
  /** The channel already has as many sockets as allowed. */
  tooManySockets: 4429,
} as const;

/** The text line CSS sends before closing a socket to an unknown channel (solid.md §2.1). */
export function unknownChannelLine(receiveFrom: string): string {
  return `There was an error opening this WebSocket: Unknown or expired WebSocket channel ${receiveFrom}`;
}
