import type { ChannelDescription } from './channel.js';
import { turtleIri, turtleString } from './turtle-syntax.js';
import {
  type ContextStyle,
  LEGACY_NOTIFICATION_CONTEXT,
  NOTIFICATIONS_CONTEXT,
  NOTIFY,
  type RdfMediaType,
  TURTLE,
  XSD,
} from './vocabulary.js';
import { formatXsdDuration } from './xsd-duration.js';

const TURTLE_PREFIXES = `@prefix notify: <${NOTIFY}>.\n@prefix xsd: <${XSD}>.\n\n`;

/**
 * A channel as the subscription response describes it (reference/solid.md §1.4). JSON-LD is
 * compacted in the subscriber's context style: the protocol's context with the compact type, or
 * the legacy singular context with the full type IRI, exactly CSS's response shape (§2.1), so
 * a client that compares `type` with the IRI it sent finds it. Turtle does not depend on style.
 */
export function serializeChannel(
  channel: ChannelDescription,
  mediaType: RdfMediaType,
  style: ContextStyle,
): string {
  return mediaType === TURTLE
    ? channelTurtle(channel)
    : JSON.stringify(channelJsonLd(channel, style));
}

function channelJsonLd(channel: ChannelDescription, style: ContextStyle) {
  const legacy = style === 'legacy-notification';
  // Keys that are undefined are left out by JSON.stringify.
  return {
    '@context': [legacy ? LEGACY_NOTIFICATION_CONTEXT : NOTIFICATIONS_CONTEXT],
    id: channel.id,
    type: legacy ? `${NOTIFY}${channel.type}` : channel.type,
    topic: channel.topic,
    receiveFrom: channel.receiveFrom,
    sendTo: channel.sendTo,
    sender: channel.sender,
    startAt: channel.startAt === undefined ? undefined : new Date(channel.startAt).toISOString(),
    endAt: new Date(channel.endAt).toISOString(),
    rate: channel.rateMs === undefined ? undefined : formatXsdDuration(channel.rateMs),
    state: channel.state,
    accept: channel.accept,
  };
}

function channelTurtle(channel: ChannelDescription): string {
  const lines = [`notify:topic ${turtleIri(channel.topic)}`];
  if (channel.receiveFrom !== undefined)
    lines.push(`notify:receiveFrom ${turtleIri(channel.receiveFrom)}`);
  if (channel.sendTo !== undefined) lines.push(`notify:sendTo ${turtleIri(channel.sendTo)}`);
  if (channel.sender !== undefined) lines.push(`notify:sender ${turtleIri(channel.sender)}`);
  if (channel.startAt !== undefined) lines.push(`notify:startAt ${dateTime(channel.startAt)}`);
  lines.push(`notify:endAt ${dateTime(channel.endAt)}`);
  if (channel.rateMs !== undefined) {
    lines.push(`notify:rate "${formatXsdDuration(channel.rateMs)}"^^xsd:duration`);
  }
  if (channel.state !== undefined) lines.push(`notify:state ${turtleString(channel.state)}`);
  if (channel.accept !== undefined) lines.push(`notify:accept ${turtleString(channel.accept)}`);
  return `${TURTLE_PREFIXES}${turtleIri(channel.id)} a notify:${channel.type};\n  ${lines.join(';\n  ')}.\n`;
}

function dateTime(ms: number): string {
  return `"${new Date(ms).toISOString()}"^^xsd:dateTime`;
}
