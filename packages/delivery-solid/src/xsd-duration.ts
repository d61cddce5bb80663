const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * xsd:duration's lexical form (XML Schema 1.1 Part 2 §3.3.6): at least one component, and `T`
 * only before a time component. Case-insensitive because the channel drafts write `PT10s`
 * (reference/solid.md §1.10).
 */
const DURATION =
  /^(?<sign>-)?P(?=[\dT])(?:(?<years>\d+)Y)?(?:(?<months>\d+)M)?(?:(?<days>\d+)D)?(?:T(?=[\d.])(?:(?<hours>\d+)H)?(?:(?<minutes>\d+)M)?(?:(?<seconds>\d+(?:\.\d*)?|\.\d+)S)?)?$/i;

/**
 * Milliseconds of an xsd:duration such as `PT10S` or `P1DT2H3M4.5S`, rounded to the
 * millisecond; negative for `-P…`, and callers check the sign. Years and months have no fixed
 * length, so a duration with any is rejected (zero ones are accepted).
 *
 * @throws SyntaxError with a message fit for the sender of the value.
 */
export function parseXsdDuration(text: string): number {
  const groups = DURATION.exec(text.trim())?.groups;
  if (groups === undefined) {
    throw new SyntaxError(
      'not an xsd:duration such as PT10S or P1DT2H (days, hours, minutes, seconds)',
    );
  }
  if (Number(groups.years ?? 0) > 0 || Number(groups.months ?? 0) > 0) {
    throw new SyntaxError(
      'years and months have no fixed length: give days, hours, minutes or seconds (P1M is one month; one minute is PT1M)',
    );
  }
  const ms = Math.round(
    Number(groups.days ?? 0) * DAY +
      Number(groups.hours ?? 0) * HOUR +
      Number(groups.minutes ?? 0) * MINUTE +
      Number(groups.seconds ?? 0) * SECOND,
  );
  if (!Number.isSafeInteger(ms)) throw new SyntaxError('the duration is too long');
  return groups.sign === undefined ? ms : -ms;
}

/** The xsd:duration of a number of milliseconds, in days and smaller units: `P1DT2H3M4.5S`. */
export function formatXsdDuration(ms: number): string {
  let rest = Math.round(Math.abs(ms));
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const time = `${unit(hours, 'H')}${unit(minutes, 'M')}${seconds(rest)}`;
  if (days === 0 && time === '') return 'PT0S';
  return `${ms < 0 ? '-' : ''}P${unit(days, 'D')}${time === '' ? '' : `T${time}`}`;
}

function unit(value: number, designator: string): string {
  return value === 0 ? '' : `${value}${designator}`;
}

/** `4.5S` for 4500 ms: three decimals at most, trailing zeros dropped. */
function seconds(ms: number): string {
  if (ms === 0) return '';
  const whole = Math.floor(ms / SECOND);
  const fraction = ms % SECOND;
  return fraction === 0
    ? `${whole}S`
    : `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}S`;
}
