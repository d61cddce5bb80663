const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';

/** The three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7). */
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/**
 * How long a `Retry-After` value (RFC 9110 §10.2.3) asks to wait, in milliseconds from `now`:
 * delta-seconds (fractions allowed, as Svix accepts) or an HTTP-date. `undefined` when absent,
 * malformed, or a date already past, so that a bad header never shapes the schedule.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  const date = httpDate(text);
  if (date === undefined || date < now) return undefined;
  return date - now;
}

function httpDate(text: string): number | undefined {
  // asctime carries no zone, and HTTP dates are always GMT: without it, V8 would read local time.
  const normalized = ASCTIME.test(text) ? `${text} GMT` : text;
  if (normalized === text && !IMF_FIXDATE.test(text) && !RFC_850.test(text)) return undefined;
  const date = Date.parse(normalized);
  return Number.isNaN(date) ? undefined : date;
}
