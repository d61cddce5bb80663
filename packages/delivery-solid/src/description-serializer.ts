import type { ChannelFeature, ChannelType } from './channel.js';
import { turtleIri } from './turtle-syntax.js';
import {
  NOTIFICATIONS_CONTEXT,
  NOTIFY,
  PIM_STORAGE,
  type RdfMediaType,
  TURTLE,
} from './vocabulary.js';

/** A subscription service (reference/solid.md §1.3). */
export interface SubscriptionServiceDescription {
  /** The service's URL, where subscriptions are POSTed. */
  id: string;
  channelType: ChannelType;
  /** Written in the given order. */
  features: readonly ChannelFeature[];
}

/** The storage-wide description resource (reference/solid.md §1.2). */
export interface StorageDescription {
  /** The description resource's own URL, the subject some clients require. */
  id: string;
  /**
   * The storage root. When given, it is typed pim:Storage (the Solid Protocol requires that
   * triple in the description) and carries the same notify:subscription links, because CSS puts
   * them there and clients that follow CSS look there (reference/solid.md §1.2).
   */
  storage?: string;
  services: readonly SubscriptionServiceDescription[];
}

const CONTEXT = [NOTIFICATIONS_CONTEXT];
const TURTLE_PREFIXES = `@prefix notify: <${NOTIFY}>.\n\n`;

/**
 * A subscription service's description, as compacted JSON-LD in the protocol's context (its
 * `channelType` and `feature` values are terms of it) or as Turtle.
 */
export function serializeSubscriptionService(
  service: SubscriptionServiceDescription,
  mediaType: RdfMediaType,
): string {
  return mediaType === TURTLE
    ? `${TURTLE_PREFIXES}${serviceTurtle(service)}`
    : JSON.stringify({ '@context': CONTEXT, ...serviceJsonLd(service) });
}

/**
 * The description resource in the protocol's data model, as compacted JSON-LD with the
 * services inline (the storage root, if any, in `@included`) or as Turtle. CSS serves expanded
 * JSON-LD with the root as the only subject (reference/solid.md §3.9 item 2).
 */
export function serializeStorageDescription(
  description: StorageDescription,
  mediaType: RdfMediaType,
): string {
  return mediaType === TURTLE ? descriptionTurtle(description) : descriptionJsonLd(description);
}

function serviceJsonLd(service: SubscriptionServiceDescription) {
  return { id: service.id, channelType: service.channelType, feature: service.features };
}

function descriptionJsonLd({ id, storage, services }: StorageDescription): string {
  const root =
    storage === undefined
      ? undefined
      : [{ id: storage, type: PIM_STORAGE, subscription: services.map((service) => service.id) }];
  return JSON.stringify({
    '@context': CONTEXT,
    id,
    subscription: services.map(serviceJsonLd),
    '@included': root,
  });
}

function serviceTurtle({ id, channelType, features }: SubscriptionServiceDescription): string {
  const feature =
    features.length === 0
      ? ''
      : `;\n  notify:feature ${features.map((name) => `notify:${name}`).join(', ')}`;
  return `${turtleIri(id)} notify:channelType notify:${channelType}${feature}.\n`;
}

function descriptionTurtle({ id, storage, services }: StorageDescription): string {
  const links = services.map((service) => turtleIri(service.id)).join(', ');
  const subjects: string[] = [];
  if (links !== '') subjects.push(`${turtleIri(id)} notify:subscription ${links}.\n`);
  if (storage !== undefined) {
    const subscription = links === '' ? '' : `;\n  notify:subscription ${links}`;
    subjects.push(`${turtleIri(storage)} a ${turtleIri(PIM_STORAGE)}${subscription}.\n`);
  }
  subjects.push(...services.map(serviceTurtle));
  return `${TURTLE_PREFIXES}${subjects.join('\n')}`;
}
