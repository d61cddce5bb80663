import { type MediaType, parseMediaType, splitHeaderList } from './media-type.js';

/** One media range of an Accept header (RFC 9110 §12.5.1). */
export interface MediaRange extends MediaType {
  /** Only the parameters before `q`; the accept-extensions after it are dropped. */
  readonly parameters: MediaType['parameters'];
  /** The weight, 0 to 1; 0 means "not acceptable". @defaultValue 1 */
  readonly q: number;
}

// RFC 9110 §12.4.2: at most three decimals, never above 1.
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

function parseMediaRange(text: string): MediaRange | undefined {
  const range = parseMediaType(text);
  if (range === undefined || (range.type === '*' && range.subtype !== '*')) return undefined;
  const qAt = range.parameters.findIndex(([name]) => name === 'q');
  if (qAt === -1) return { ...range, q: 1 };
  const [, q = ''] = range.parameters[qAt] ?? [];
  if (!QVALUE.test(q)) return undefined;
  return { ...range, parameters: range.parameters.slice(0, qAt), q: Number(q) };
}

/** The media ranges of an Accept header value, in order; malformed ones are left out. */
export function parseAcceptHeader(value: string): MediaRange[] {
  return splitHeaderList(value)
    .map(parseMediaRange)
    .filter((range) => range !== undefined);
}

/** Whether a value is a well-formed Accept header with at least one media range. */
export function isValidAcceptHeader(value: string): boolean {
  const elements = splitHeaderList(value);
  return elements.length > 0 && elements.every((element) => parseMediaRange(element) !== undefined);
}

/**
 * The offered media type the Accept header weighs highest, the earlier offered one on a tie;
 * undefined when it accepts none of them. No header, or one without a single well-formed
 * range, accepts anything: the first offered type.
 */
export function negotiate(
  accept: string | undefined,
  offered: readonly string[],
): string | undefined {
  const ranges = accept === undefined ? [] : parseAcceptHeader(accept);
  if (ranges.length === 0) return offered[0];
  let best: string | undefined;
  let bestQ = 0;
  for (const type of offered) {
    const q = quality(ranges, type);
    if (q > bestQ) {
      best = type;
      bestQ = q;
    }
  }
  return best;
}

/**
 * The weight of the most specific ranges that match (RFC 9110 §12.5.1), the highest if several
 * tie. Media-type parameters do not take part: the gateway writes one form of each type, and
 * `application/ld+json; profile=…` should still get JSON-LD.
 */
function quality(ranges: readonly MediaRange[], offered: string): number {
  const type = parseMediaType(offered);
  if (type === undefined) return 0;
  let specificity = -1;
  let q = 0;
  for (const range of ranges) {
    const level = matchLevel(range, type);
    if (level > specificity) {
      specificity = level;
      q = range.q;
    } else if (level === specificity && level >= 0) {
      q = Math.max(q, range.q);
    }
  }
  return q;
}

/** -1: no match; 0: the range is any type; 1: any subtype of the type; 2: the type itself. */
function matchLevel(range: MediaRange, type: MediaType): number {
  if (range.type === '*') return 0;
  if (range.type !== type.type) return -1;
  if (range.subtype === '*') return 1;
  return range.subtype === type.subtype ? 2 : -1;
}
