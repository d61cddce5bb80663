/**
 * An xsd:dateTime with a time zone and a four-digit year: the ISO 8601 form that
 * `Date.prototype.toISOString` writes and clients send (reference/solid.md §1.4). A date-time
 * without a time zone names no instant, so it is rejected. `t` and `z` may be lower case, as
 * RFC 3339 §5.6 allows.
 */
const DATE_TIME =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d+))?(?<zone>Z|[+-]\d{2}:\d{2})$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds of a date-time such as `2023-01-01T09:00:00.000Z` or
 * `2023-01-01T10:00:00+01:00`; digits after the milliseconds are dropped.
 *
 * @throws SyntaxError with a message fit for the sender of the value.
 */
export function parseXsdDateTime(text: string): number {
  const groups = DATE_TIME.exec(text.trim())?.groups;
  if (groups === undefined) {
    throw new SyntaxError(
      'not a date-time with a time zone, such as 2023-01-01T09:00:00.000Z or 2023-01-01T10:00:00+01:00',
    );
  }
  const field = (name: string): number => Number(groups[name]);
  const [year, month, day] = [field('year'), field('month'), field('day')];
  const [hour, minute, second] = [field('hour'), field('minute'), field('second')];
  const ms = Number((groups.fraction ?? '').padEnd(3, '0').slice(0, 3));
  // XML Schema allows 24:00:00 for the end of a day, which is the next day's midnight.
  const endOfDay = hour === 24 && minute === 0 && second === 0 && ms === 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    (hour > 23 && !endOfDay) ||
    minute > 59 ||
    second > 59
  ) {
    throw new SyntaxError('no such date or time of day');
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime() - zoneOffset(groups.zone ?? 'Z');
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Milliseconds east of UTC; XML Schema bounds time zones to ±14:00. */
function zoneOffset(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) {
    throw new SyntaxError('no such time zone: offsets run from -14:00 to +14:00');
  }
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
