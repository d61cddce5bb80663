import { isValidAcceptHeader, negotiate } from './accept-header.js';
import type { ChannelRequest, ChannelType } from './channel.js';
import { SubscriptionRequestError } from './subscription-request-error.js';
import {
  type ContextStyle,
  JSON_LD,
  NOTIFICATIONS_CONTEXT,
  NOTIFY,
  RDF_TYPE,
  TURTLE,
  XSD,
} from './vocabulary.js';
import { parseXsdDateTime } from './xsd-date-time.js';
import { parseXsdDuration } from './xsd-duration.js';

/** An RDF term, as both jsonld.js and n3 give it. */
export interface RdfTerm {
  /** `NamedNode`, `BlankNode` or `Literal` (and `DefaultGraph`, never looked at). */
  readonly termType: string;
  readonly value: string;
  /** A literal's datatype. */
  readonly datatype?: { readonly value: string };
}

export interface RdfTriple {
  readonly subject: RdfTerm;
  readonly predicate: RdfTerm;
  readonly object: RdfTerm;
}

/** A subscription request body, read as RDF. */
export interface RequestGraph {
  /** Graph names are ignored: a channel in a named graph is still the channel. */
  readonly triples: readonly RdfTriple[];
  readonly contextStyle: ContextStyle;
  /**
   * What reading the body dropped (JSON keys no context defines, values that are not IRIs),
   * said for the sender; added to the messages about a missing topic or type, which it
   * usually explains.
   */
  readonly notes: readonly string[];
}

/** The channel types with a subscription service here. */
const OFFERED: ReadonlySet<string> = new Set<ChannelType>([
  'WebSocketChannel2023',
  'WebhookChannel2023',
]);
const OFFERED_LIST =
  'WebSocketChannel2023 at /.notifications/WebSocketChannel2023/ and WebhookChannel2023 at /.notifications/WebhookChannel2023/';
/** The other channel types of the notifications drafts (reference/solid.md §1.1, §2.5). */
const NOT_OFFERED = new Set([
  'StreamingHTTPChannel2023',
  'EventSourceChannel2023',
  'LDNChannel2023',
  'WebPushChannel2023',
]);
/** The WebSocketChannel2023 draft spells the type's namespace without the s (solid.md §1.10). */
const MISSPELT_NOTIFY = 'http://www.w3.org/ns/solid/notification#';

const FEATURES = ['startAt', 'endAt', 'rate', 'state', 'accept'];
/** The notify properties a request may carry; `sendTo` only to the webhook service. */
const REQUEST_PROPERTIES = new Set(['topic', 'sendTo', ...FEATURES]);
/**
 * Chosen by the gateway. A request that carries them (a channel description sent back as it
 * came) is not refused for it; they are ignored.
 */
const SERVER_CHOSEN = new Set(['receiveFrom', 'sender']);
const HINTS: Readonly<Record<string, string>> = {
  expiration:
    "the webhook draft's old name of endAt: send endAt, an xsd:dateTime such as 2023-01-01T09:00:00.000Z",
};

const DATE_TIME_TYPES = new Set([`${XSD}dateTime`, `${XSD}string`]);
const DURATION_TYPES = new Set([`${XSD}duration`, `${XSD}dayTimeDuration`, `${XSD}string`]);
const URL_TYPES = new Set([`${XSD}string`, `${XSD}anyURI`]);
// Characters no IRI holds (RFC 3987); a topic with them could not be written back as Turtle.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
const NOT_IN_IRIS = /[\u0000-\u0020<>"{}|^`\\]/;

function invalid(message: string): SubscriptionRequestError {
  return new SubscriptionRequestError('GW_SOLID_INVALID_CHANNEL', message);
}

/**
 * The channel request a body's RDF describes, checked against the protocol's data model
 * (reference/solid.md §1.4, §1.5) and against what CSS refuses (§3.2, §3.8), with messages
 * that say what to send instead. Predicates outside the notifications namespace are ignored:
 * receivers should expect extensions.
 *
 * @throws SubscriptionRequestError (422) for anything that is not one valid channel request.
 */
export function readChannelRequest(graph: RequestGraph, channelType: ChannelType): ChannelRequest {
  const properties = propertiesOf(graph.triples, channelSubject(graph));
  checkType(properties.get(RDF_TYPE) ?? [], channelType, graph.notes);
  checkPredicates(properties, channelType);
  const request: ChannelRequest = {
    type: channelType,
    topic: topicOf(properties.get(`${NOTIFY}topic`) ?? []),
    contextStyle: graph.contextStyle,
  };
  readFeatures(properties, request);
  const sendTo = sendToOf(properties, channelType);
  if (sendTo !== undefined) request.sendTo = sendTo;
  return request;
}

/** `sendTo`, which a webhook channel needs (reference/solid.md §2.2). */
function sendToOf(properties: ReadonlyMap<string, readonly RdfTerm[]>, channelType: ChannelType) {
  const sendTo = optional(properties, 'sendTo');
  if (sendTo === undefined && channelType === 'WebhookChannel2023') {
    throw invalid(
      'a WebhookChannel2023 channel needs sendTo: the https URL the notifications are POSTed to',
    );
  }
  return sendTo === undefined ? undefined : urlOf('sendTo', sendTo);
}

/** The one subject with a notify:topic. */
function channelSubject(graph: RequestGraph): RdfTerm {
  const subjects = new Map<string, RdfTerm>();
  for (const { subject, predicate } of graph.triples) {
    if (predicate.value === `${NOTIFY}topic`) subjects.set(termKey(subject), subject);
  }
  const [first, ...others] = subjects.values();
  if (first === undefined) throw invalid(withNotes(missingTopic(graph), graph.notes));
  if (others.length > 0) {
    throw invalid(
      `the body describes ${subjects.size} channels (${subjects.size} subjects have a notify:topic): subscribe one channel per request`,
    );
  }
  return first;
}

function missingTopic(graph: RequestGraph): string {
  const lookalikes = new Set(
    graph.triples
      .map(({ predicate }) => predicate.value)
      .filter((iri) => /[#/]topic$/i.test(iri) && iri !== `${NOTIFY}topic`),
  );
  const found = lookalikes.size === 0 ? '' : `; ${[...lookalikes].join(', ')} is not it`;
  return `the channel has no topic: name the resource to watch with ${NOTIFY}topic (in JSON-LD, "topic" under the @context ${NOTIFICATIONS_CONTEXT})${found}`;
}

/** The subject's objects by predicate IRI, each object once. */
function propertiesOf(triples: readonly RdfTriple[], subject: RdfTerm): Map<string, RdfTerm[]> {
  const subjectKey = termKey(subject);
  const properties = new Map<string, RdfTerm[]>();
  const seen = new Set<string>();
  for (const { subject: s, predicate, object } of triples) {
    const key = `${predicate.value} ${termKey(object)}`;
    if (termKey(s) !== subjectKey || seen.has(key)) continue;
    seen.add(key);
    const objects = properties.get(predicate.value);
    if (objects === undefined) properties.set(predicate.value, [object]);
    else objects.push(object);
  }
  return properties;
}

function termKey(term: RdfTerm): string {
  return `${term.termType} ${term.datatype?.value ?? ''} ${term.value}`;
}

function checkType(types: readonly RdfTerm[], channelType: ChannelType, notes: readonly string[]) {
  const advice = `this service subscribes ${channelType} channels: "type": "${channelType}" under the @context ${NOTIFICATIONS_CONTEXT}, or the IRI ${NOTIFY}${channelType}`;
  const [type, ...others] = types;
  if (type === undefined) throw invalid(withNotes(`the channel has no type; ${advice}`, notes));
  if (others.length > 0) {
    throw invalid(
      `the channel has ${types.length} types (${types.map(describe).join(', ')}); ${advice}`,
    );
  }
  const name = channelTypeName(type);
  if (name === channelType) return;
  if (name !== undefined && OFFERED.has(name)) {
    throw invalid(
      `this is the subscription service for ${channelType}: send ${name} subscriptions to /.notifications/${name}/`,
    );
  }
  if (name !== undefined && NOT_OFFERED.has(name)) {
    throw invalid(`the gateway has no subscription service for ${name}; it offers ${OFFERED_LIST}`);
  }
  throw invalid(`unknown channel type ${describe(type)}${typeHint(type, channelType)}; ${advice}`);
}

/** Why a type that looks right is not: a term that resolved outside the namespace. */
function typeHint(type: RdfTerm, channelType: ChannelType): string {
  if (type.termType === 'BlankNode') {
    return ' (under the Activity Streams context a type term it does not define becomes a blank node)';
  }
  return type.value.endsWith(`/${channelType}`) || type.value.endsWith(`#${channelType}`)
    ? ` (the type is in the wrong namespace: "${channelType}" means ${NOTIFY}${channelType} only under a notifications @context)`
    : '';
}

/** The local name of a channel type IRI in the notifications namespace (or its misspelling). */
function channelTypeName(type: RdfTerm): string | undefined {
  if (type.termType !== 'NamedNode') return undefined;
  for (const namespace of [NOTIFY, MISSPELT_NOTIFY]) {
    if (type.value.startsWith(namespace)) return type.value.slice(namespace.length);
  }
  return undefined;
}

function checkPredicates(properties: ReadonlyMap<string, unknown>, channelType: ChannelType) {
  const unknown: string[] = [];
  for (const predicate of properties.keys()) {
    if (!predicate.startsWith(NOTIFY)) continue;
    const name = predicate.slice(NOTIFY.length);
    if (name === 'sendTo' && channelType !== 'WebhookChannel2023') {
      throw invalid(
        `sendTo belongs to WebhookChannel2023: a ${channelType} receiver connects to the channel's receiveFrom; to have notifications POSTed to you, subscribe at /.notifications/WebhookChannel2023/`,
      );
    }
    if (!REQUEST_PROPERTIES.has(name) && !SERVER_CHOSEN.has(name)) unknown.push(name);
  }
  if (unknown.length === 0) return;
  const names = unknown.map((name) => `${NOTIFY}${name}${hint(name)}`).join(', ');
  throw invalid(
    `unknown ${unknown.length === 1 ? 'property' : 'properties'} ${names}; a subscription request carries topic, the features ${FEATURES.join(', ')}, and for WebhookChannel2023 sendTo`,
  );
}

function hint(name: string): string {
  const known = HINTS[name];
  if (known !== undefined) return ` (${known})`;
  const lookalike = [...REQUEST_PROPERTIES].find((p) => p.toLowerCase() === name.toLowerCase());
  return lookalike === undefined ? '' : ` (did you mean ${lookalike}?)`;
}

function topicOf(topics: readonly RdfTerm[]): string {
  const [topic, ...others] = topics;
  if (topic === undefined || others.length > 0) {
    throw invalid(
      `the channel has ${topics.length} topics (${topics.map(describe).join(', ')}): a channel watches one resource, so subscribe once per topic`,
    );
  }
  return urlOf('topic', topic);
}

function readFeatures(
  properties: ReadonlyMap<string, readonly RdfTerm[]>,
  request: ChannelRequest,
) {
  const startAt = optional(properties, 'startAt');
  if (startAt !== undefined) request.startAt = dateTimeOf('startAt', startAt);
  const endAt = optional(properties, 'endAt');
  if (endAt !== undefined) request.endAt = dateTimeOf('endAt', endAt);
  if (
    request.startAt !== undefined &&
    request.endAt !== undefined &&
    request.startAt > request.endAt
  ) {
    throw invalid('startAt is after endAt: the channel would never deliver a notification');
  }
  const rate = optional(properties, 'rate');
  if (rate !== undefined) request.rateMs = rateOf(rate);
  const state = optional(properties, 'state');
  if (state !== undefined) request.state = stringOf('state', state);
  const accept = optional(properties, 'accept');
  if (accept !== undefined) request.accept = acceptOf(accept);
}

/** The value of a property that may be given at most once. */
function optional(properties: ReadonlyMap<string, readonly RdfTerm[]>, name: string) {
  const values = properties.get(`${NOTIFY}${name}`) ?? [];
  if (values.length > 1) {
    throw invalid(
      `${name} is given ${values.length} times (${values.map(describe).join(', ')}): give it at most once`,
    );
  }
  return values[0];
}

function dateTimeOf(name: string, term: RdfTerm): number {
  const expected = `${name} must be an xsd:dateTime with a time zone, such as 2023-01-01T09:00:00.000Z`;
  if (!isLiteralOf(term, DATE_TIME_TYPES)) throw invalid(`${expected}; got ${describe(term)}`);
  return parseLexical(expected, term, parseXsdDateTime);
}

function rateOf(term: RdfTerm): number {
  const expected = 'rate must be an xsd:duration longer than zero, such as PT10S';
  if (!isLiteralOf(term, DURATION_TYPES)) throw invalid(`${expected}; got ${describe(term)}`);
  const ms = parseLexical(expected, term, parseXsdDuration);
  if (ms <= 0) throw invalid(`${expected}; got ${describe(term)}`);
  return ms;
}

/** A literal's value through a parser whose errors say what is wrong with it. */
function parseLexical<T>(expected: string, term: RdfTerm, parse: (text: string) => T): T {
  try {
    return parse(term.value);
  } catch (error) {
    throw invalid(`${expected}; got ${describe(term)}: ${(error as SyntaxError).message}`);
  }
}

function stringOf(name: string, term: RdfTerm): string {
  if (term.termType !== 'Literal') throw invalid(`${name} must be a string; got ${describe(term)}`);
  return term.value;
}

function acceptOf(term: RdfTerm): string {
  const value = stringOf('accept', term);
  if (!isValidAcceptHeader(value) || negotiate(value, [JSON_LD, TURTLE]) === undefined) {
    throw invalid(
      `accept must be an HTTP Accept header value that accepts ${JSON_LD} or ${TURTLE}, the forms notifications are written in; got ${describe(term)}`,
    );
  }
  return value;
}

/** An IRI, or a literal holding one (a full-IRI JSON key with a string value gives a literal). */
function urlOf(name: 'topic' | 'sendTo', term: RdfTerm): string {
  const candidate = term.termType === 'NamedNode' || isLiteralOf(term, URL_TYPES);
  if (candidate && isHttpUrl(term.value)) return term.value;
  const what = name === 'topic' ? 'the resource to watch' : 'the webhook to POST notifications to';
  throw invalid(`${name} must be the absolute http(s) URL of ${what}; got ${describe(term)}`);
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text) && !NOT_IN_IRIS.test(text) && URL.canParse(text);
}

function isLiteralOf(term: RdfTerm, datatypes: ReadonlySet<string>): boolean {
  return term.termType === 'Literal' && datatypes.has(term.datatype?.value ?? '');
}

/** A term as a message quotes it; long values are cut. */
function describe(term: RdfTerm): string {
  if (term.termType === 'BlankNode') return 'a blank node';
  const value = term.value.length > 100 ? `${term.value.slice(0, 100)}…` : term.value;
  if (term.termType === 'NamedNode') return `<${value}>`;
  const datatype = term.datatype?.value;
  return datatype === undefined || datatype === `${XSD}string`
    ? JSON.stringify(value)
    : `${JSON.stringify(value)}^^<${datatype}>`;
}

function withNotes(message: string, notes: readonly string[]): string {
  return notes.length === 0 ? message : `${message}; ${notes.join('; ')}`;
}
