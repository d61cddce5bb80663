/** IRIs of the Solid Notifications Protocol and the vocabularies its messages use. */
export const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
export const AS = 'https://www.w3.org/ns/activitystreams#';
export const XSD = 'http://www.w3.org/2001/XMLSchema#';
export const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
export const PIM_STORAGE = 'http://www.w3.org/ns/pim/space#Storage';
export const STORAGE_DESCRIPTION_REL = 'http://www.w3.org/ns/solid/terms#storageDescription';

/**
 * The two notification context IRIs in circulation (reference/solid.md §1.1): the protocol's
 * own, which defines terms for the channel types, and the older singular one that the
 * channel-type drafts and Community Solid Server use, which does not.
 */
export const NOTIFICATIONS_CONTEXT = 'https://www.w3.org/ns/solid/notifications-context/v1';
export const LEGACY_NOTIFICATION_CONTEXT = 'https://www.w3.org/ns/solid/notification/v1';
export const ACTIVITYSTREAMS_CONTEXT = 'https://www.w3.org/ns/activitystreams';

/**
 * Which notifications context a subscriber spoke. Responses and notifications answer in the
 * same one, so a client that compares `type` with the IRI it sent (as CSS's own tests do) finds
 * it again, and a client of the protocol's examples gets the compact forms.
 */
export type ContextStyle = 'notifications-context' | 'legacy-notification';

/** The media types the gateway reads and writes RDF in. */
export const JSON_LD = 'application/ld+json';
export const TURTLE = 'text/turtle';
export type RdfMediaType = typeof JSON_LD | typeof TURTLE;
