import type { Notification, NotificationFormat } from './channel.js';
import { turtleIri, turtleString } from './turtle-syntax.js';
import {
  ACTIVITYSTREAMS_CONTEXT,
  AS,
  LEGACY_NOTIFICATION_CONTEXT,
  NOTIFICATIONS_CONTEXT,
  NOTIFY,
  TURTLE,
  XSD,
} from './vocabulary.js';

const CONTEXTS = {
  'notifications-context': [ACTIVITYSTREAMS_CONTEXT, NOTIFICATIONS_CONTEXT],
  'legacy-notification': [ACTIVITYSTREAMS_CONTEXT, LEGACY_NOTIFICATION_CONTEXT],
} as const;

const TURTLE_PREFIXES = `@prefix as: <${AS}>.\n@prefix notify: <${NOTIFY}>.\n@prefix xsd: <${XSD}>.\n\n`;

/**
 * A notification message (reference/solid.md §1.6). JSON-LD has exactly the keys, in the order,
 * that CSS sends and its tests assert (§4): `@context`, `id`, `type`, `object`, `target` if
 * any, `state` if any, `published`. Turtle uses the `https:` Activity Streams IRIs, as CSS's does
 * (§3.5).
 */
export function serializeNotification(
  notification: Notification,
  format: NotificationFormat,
): string {
  return format.mediaType === TURTLE
    ? notificationTurtle(notification)
    : JSON.stringify({
        '@context': CONTEXTS[format.contextStyle],
        id: notification.id,
        type: notification.type,
        object: notification.object,
        target: notification.target,
        state: notification.state,
        published: new Date(notification.published).toISOString(),
      });
}

function notificationTurtle(notification: Notification): string {
  const lines = [`as:object ${turtleIri(notification.object)}`];
  if (notification.target !== undefined) lines.push(`as:target ${turtleIri(notification.target)}`);
  if (notification.state !== undefined)
    lines.push(`notify:state ${turtleString(notification.state)}`);
  lines.push(`as:published "${new Date(notification.published).toISOString()}"^^xsd:dateTime`);
  return `${TURTLE_PREFIXES}${turtleIri(notification.id)} a as:${notification.type};\n  ${lines.join(';\n  ')}.\n`;
}
