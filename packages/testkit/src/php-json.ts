/**
 * Serialises `value` the way PHP's `json_encode` does with default flags, which is how the
 * notify_push app writes every Redis payload: `/` is escaped as `\/` and every non-ASCII UTF-16
 * code unit as a lower-case `\uXXXX` (astral characters as their surrogate pair). Feeding the
 * gateway these exact bytes exercises its decoder on what Nextcloud really sends.
 */
export function phpJsonEncode(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value has no JSON representation');
  // A `/` can only occur inside a JSON string, so replacing every one is safe.
  return json.replace(/[/\u0080-\uffff]/g, (char) =>
    char === '/' ? '\\/' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
