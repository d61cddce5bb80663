import { UnrecognisedContextError } from './unrecognised-context-error.js';
import {
  ACTIVITYSTREAMS_CONTEXT,
  LEGACY_NOTIFICATION_CONTEXT,
  NOTIFICATIONS_CONTEXT,
} from './vocabulary.js';

/** A JSON-LD context document: an object whose `@context` is an object. */
export interface ContextDocument {
  readonly '@context': Readonly<Record<string, unknown>>;
}

/**
 * `https://www.w3.org/ns/solid/notifications-context/v1`, verbatim from
 * solid/vocab:solid-notifications-context.jsonld (commit b2ec12c). It defines terms for the
 * channel types, so `"type": "WebSocketChannel2023"` means notify:WebSocketChannel2023.
 */
export const NOTIFICATIONS_CONTEXT_DOCUMENT: ContextDocument = {
  '@context': {
    '@version': 1.1,
    '@protected': true,
    id: '@id',
    type: '@type',
    notify: 'http://www.w3.org/ns/solid/notifications#',
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    EventSourceChannel2023: 'notify:EventSourceChannel2023',
    LDNChannel2023: 'notify:LDNChannel2023',
    StreamingHTTPChannel2023: 'notify:StreamingHTTPChannel2023',
    WebhookChannel2023: 'notify:WebhookChannel2023',
    WebSocketChannel2023: 'notify:WebSocketChannel2023',
    accept: 'notify:accept',
    channel: {
      '@id': 'notify:channel',
      '@type': '@id',
    },
    channelType: {
      '@id': 'notify:channelType',
      '@type': '@vocab',
    },
    endAt: {
      '@id': 'notify:endAt',
      '@type': 'xsd:dateTime',
    },
    feature: {
      '@id': 'notify:feature',
      '@type': '@vocab',
    },
    rate: {
      '@id': 'notify:rate',
      '@type': 'xsd:duration',
    },
    receiveFrom: {
      '@id': 'notify:receiveFrom',
      '@type': '@id',
    },
    sender: {
      '@id': 'notify:sender',
      '@type': '@id',
    },
    sendTo: {
      '@id': 'notify:sendTo',
      '@type': '@id',
    },
    state: 'notify:state',
    startAt: {
      '@id': 'notify:startAt',
      '@type': 'xsd:dateTime',
    },
    subscription: {
      '@id': 'notify:subscription',
      '@type': '@id',
    },
    topic: {
      '@id': 'notify:topic',
      '@type': '@id',
    },
  },
};

/**
 * `https://www.w3.org/ns/solid/notification/v1`, the older singular IRI that the channel-type
 * drafts and Community Solid Server use (reference/solid.md §1.1). CSS 7.2.0's copy
 * (CSS:templates/contexts/notification.jsonld) is the official context without its five
 * channel-type terms, so CSS answers 422 to the compact `"type": "WebSocketChannel2023"` under
 * this IRI. With those terms added, which we do so that we accept it (reference/solid.md §3.9
 * item 1), the two are term for term the same document; and so both can be combined in one
 * `@context` without redefining a protected term.
 */
export const LEGACY_NOTIFICATION_CONTEXT_DOCUMENT: ContextDocument = {
  '@context': { ...NOTIFICATIONS_CONTEXT_DOCUMENT['@context'] },
};

/**
 * `https://www.w3.org/ns/activitystreams`: CSS 7.2.0's copy
 * (CSS:templates/contexts/activitystreams.jsonld), the context of every notification message.
 */
export const ACTIVITYSTREAMS_CONTEXT_DOCUMENT: ContextDocument = {
  '@context': {
    '@vocab': '_:',
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    as: 'https://www.w3.org/ns/activitystreams#',
    ldp: 'http://www.w3.org/ns/ldp#',
    vcard: 'http://www.w3.org/2006/vcard/ns#',
    id: '@id',
    type: '@type',
    Accept: 'as:Accept',
    Activity: 'as:Activity',
    IntransitiveActivity: 'as:IntransitiveActivity',
    Add: 'as:Add',
    Announce: 'as:Announce',
    Application: 'as:Application',
    Arrive: 'as:Arrive',
    Article: 'as:Article',
    Audio: 'as:Audio',
    Block: 'as:Block',
    Collection: 'as:Collection',
    CollectionPage: 'as:CollectionPage',
    Relationship: 'as:Relationship',
    Create: 'as:Create',
    Delete: 'as:Delete',
    Dislike: 'as:Dislike',
    Document: 'as:Document',
    Event: 'as:Event',
    Follow: 'as:Follow',
    Flag: 'as:Flag',
    Group: 'as:Group',
    Ignore: 'as:Ignore',
    Image: 'as:Image',
    Invite: 'as:Invite',
    Join: 'as:Join',
    Leave: 'as:Leave',
    Like: 'as:Like',
    Link: 'as:Link',
    Mention: 'as:Mention',
    Note: 'as:Note',
    Object: 'as:Object',
    Offer: 'as:Offer',
    OrderedCollection: 'as:OrderedCollection',
    OrderedCollectionPage: 'as:OrderedCollectionPage',
    Organization: 'as:Organization',
    Page: 'as:Page',
    Person: 'as:Person',
    Place: 'as:Place',
    Profile: 'as:Profile',
    Question: 'as:Question',
    Reject: 'as:Reject',
    Remove: 'as:Remove',
    Service: 'as:Service',
    TentativeAccept: 'as:TentativeAccept',
    TentativeReject: 'as:TentativeReject',
    Tombstone: 'as:Tombstone',
    Undo: 'as:Undo',
    Update: 'as:Update',
    Video: 'as:Video',
    View: 'as:View',
    Listen: 'as:Listen',
    Read: 'as:Read',
    Move: 'as:Move',
    Travel: 'as:Travel',
    IsFollowing: 'as:IsFollowing',
    IsFollowedBy: 'as:IsFollowedBy',
    IsContact: 'as:IsContact',
    IsMember: 'as:IsMember',
    subject: {
      '@id': 'as:subject',
      '@type': '@id',
    },
    relationship: {
      '@id': 'as:relationship',
      '@type': '@id',
    },
    actor: {
      '@id': 'as:actor',
      '@type': '@id',
    },
    attributedTo: {
      '@id': 'as:attributedTo',
      '@type': '@id',
    },
    attachment: {
      '@id': 'as:attachment',
      '@type': '@id',
    },
    bcc: {
      '@id': 'as:bcc',
      '@type': '@id',
    },
    bto: {
      '@id': 'as:bto',
      '@type': '@id',
    },
    cc: {
      '@id': 'as:cc',
      '@type': '@id',
    },
    context: {
      '@id': 'as:context',
      '@type': '@id',
    },
    current: {
      '@id': 'as:current',
      '@type': '@id',
    },
    first: {
      '@id': 'as:first',
      '@type': '@id',
    },
    generator: {
      '@id': 'as:generator',
      '@type': '@id',
    },
    icon: {
      '@id': 'as:icon',
      '@type': '@id',
    },
    image: {
      '@id': 'as:image',
      '@type': '@id',
    },
    inReplyTo: {
      '@id': 'as:inReplyTo',
      '@type': '@id',
    },
    items: {
      '@id': 'as:items',
      '@type': '@id',
    },
    instrument: {
      '@id': 'as:instrument',
      '@type': '@id',
    },
    orderedItems: {
      '@id': 'as:items',
      '@type': '@id',
      '@container': '@list',
    },
    last: {
      '@id': 'as:last',
      '@type': '@id',
    },
    location: {
      '@id': 'as:location',
      '@type': '@id',
    },
    next: {
      '@id': 'as:next',
      '@type': '@id',
    },
    object: {
      '@id': 'as:object',
      '@type': '@id',
    },
    oneOf: {
      '@id': 'as:oneOf',
      '@type': '@id',
    },
    anyOf: {
      '@id': 'as:anyOf',
      '@type': '@id',
    },
    closed: {
      '@id': 'as:closed',
      '@type': 'xsd:dateTime',
    },
    origin: {
      '@id': 'as:origin',
      '@type': '@id',
    },
    accuracy: {
      '@id': 'as:accuracy',
      '@type': 'xsd:float',
    },
    prev: {
      '@id': 'as:prev',
      '@type': '@id',
    },
    preview: {
      '@id': 'as:preview',
      '@type': '@id',
    },
    replies: {
      '@id': 'as:replies',
      '@type': '@id',
    },
    result: {
      '@id': 'as:result',
      '@type': '@id',
    },
    audience: {
      '@id': 'as:audience',
      '@type': '@id',
    },
    partOf: {
      '@id': 'as:partOf',
      '@type': '@id',
    },
    tag: {
      '@id': 'as:tag',
      '@type': '@id',
    },
    target: {
      '@id': 'as:target',
      '@type': '@id',
    },
    to: {
      '@id': 'as:to',
      '@type': '@id',
    },
    url: {
      '@id': 'as:url',
      '@type': '@id',
    },
    altitude: {
      '@id': 'as:altitude',
      '@type': 'xsd:float',
    },
    content: 'as:content',
    contentMap: {
      '@id': 'as:content',
      '@container': '@language',
    },
    name: 'as:name',
    nameMap: {
      '@id': 'as:name',
      '@container': '@language',
    },
    duration: {
      '@id': 'as:duration',
      '@type': 'xsd:duration',
    },
    endTime: {
      '@id': 'as:endTime',
      '@type': 'xsd:dateTime',
    },
    height: {
      '@id': 'as:height',
      '@type': 'xsd:nonNegativeInteger',
    },
    href: {
      '@id': 'as:href',
      '@type': '@id',
    },
    hreflang: 'as:hreflang',
    latitude: {
      '@id': 'as:latitude',
      '@type': 'xsd:float',
    },
    longitude: {
      '@id': 'as:longitude',
      '@type': 'xsd:float',
    },
    mediaType: 'as:mediaType',
    published: {
      '@id': 'as:published',
      '@type': 'xsd:dateTime',
    },
    radius: {
      '@id': 'as:radius',
      '@type': 'xsd:float',
    },
    rel: 'as:rel',
    startIndex: {
      '@id': 'as:startIndex',
      '@type': 'xsd:nonNegativeInteger',
    },
    startTime: {
      '@id': 'as:startTime',
      '@type': 'xsd:dateTime',
    },
    summary: 'as:summary',
    summaryMap: {
      '@id': 'as:summary',
      '@container': '@language',
    },
    totalItems: {
      '@id': 'as:totalItems',
      '@type': 'xsd:nonNegativeInteger',
    },
    units: 'as:units',
    updated: {
      '@id': 'as:updated',
      '@type': 'xsd:dateTime',
    },
    width: {
      '@id': 'as:width',
      '@type': 'xsd:nonNegativeInteger',
    },
    describes: {
      '@id': 'as:describes',
      '@type': '@id',
    },
    formerType: {
      '@id': 'as:formerType',
      '@type': '@id',
    },
    deleted: {
      '@id': 'as:deleted',
      '@type': 'xsd:dateTime',
    },
    inbox: {
      '@id': 'ldp:inbox',
      '@type': '@id',
    },
    outbox: {
      '@id': 'as:outbox',
      '@type': '@id',
    },
    following: {
      '@id': 'as:following',
      '@type': '@id',
    },
    followers: {
      '@id': 'as:followers',
      '@type': '@id',
    },
    streams: {
      '@id': 'as:streams',
      '@type': '@id',
    },
    preferredUsername: 'as:preferredUsername',
    endpoints: {
      '@id': 'as:endpoints',
      '@type': '@id',
    },
    uploadMedia: {
      '@id': 'as:uploadMedia',
      '@type': '@id',
    },
    proxyUrl: {
      '@id': 'as:proxyUrl',
      '@type': '@id',
    },
    liked: {
      '@id': 'as:liked',
      '@type': '@id',
    },
    oauthAuthorizationEndpoint: {
      '@id': 'as:oauthAuthorizationEndpoint',
      '@type': '@id',
    },
    oauthTokenEndpoint: {
      '@id': 'as:oauthTokenEndpoint',
      '@type': '@id',
    },
    provideClientKey: {
      '@id': 'as:provideClientKey',
      '@type': '@id',
    },
    signClientKey: {
      '@id': 'as:signClientKey',
      '@type': '@id',
    },
    sharedInbox: {
      '@id': 'as:sharedInbox',
      '@type': '@id',
    },
    Public: {
      '@id': 'as:Public',
      '@type': '@id',
    },
    source: 'as:source',
    likes: {
      '@id': 'as:likes',
      '@type': '@id',
    },
    shares: {
      '@id': 'as:shares',
      '@type': '@id',
    },
    alsoKnownAs: {
      '@id': 'as:alsoKnownAs',
      '@type': '@id',
    },
  },
};

const BUNDLED: ReadonlyMap<string, ContextDocument> = new Map([
  [NOTIFICATIONS_CONTEXT, NOTIFICATIONS_CONTEXT_DOCUMENT],
  [LEGACY_NOTIFICATION_CONTEXT, LEGACY_NOTIFICATION_CONTEXT_DOCUMENT],
  [ACTIVITYSTREAMS_CONTEXT, ACTIVITYSTREAMS_CONTEXT_DOCUMENT],
]);

/**
 * The canonical IRI of the bundled context an IRI names, or undefined. Clients write these
 * IRIs with `http:`, a trailing `#` or a `.jsonld` suffix (the file names they are published
 * under); all name the same context.
 */
export function bundledContextIri(iri: string): string | undefined {
  const canonical = iri
    .replace(/^http:/, 'https:')
    .replace(/#$/, '')
    .replace(/\.jsonld$/, '');
  return BUNDLED.has(canonical) ? canonical : undefined;
}

/** What jsonld.js expects from a document loader. */
export interface BundledRemoteDocument {
  contextUrl: undefined;
  documentUrl: string;
  document: ContextDocument;
  /**
   * `static` lets jsonld.js keep the resolved context in its process-wide cache, so a request
   * does not process the context again (jsonld lib/ContextResolver.js caches only tagged ones).
   */
  tag: 'static';
}

/**
 * A jsonld.js `documentLoader` that serves only the bundled contexts and never touches the
 * network; any other IRI rejects with {@link UnrecognisedContextError}.
 */
export async function bundledDocumentLoader(url: string): Promise<BundledRemoteDocument> {
  const iri = bundledContextIri(url);
  const document = iri === undefined ? undefined : BUNDLED.get(iri);
  if (document === undefined) throw new UnrecognisedContextError(url);
  // A copy, so that nothing jsonld.js does to the document can change the constants.
  return {
    contextUrl: undefined,
    documentUrl: url,
    document: structuredClone(document),
    tag: 'static',
  };
}
