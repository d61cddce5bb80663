/**
 * Compact JSON with object keys sorted recursively, as upstream's serde_json (BTreeMap) prints a
 * custom body. Keys sort by Unicode code point, which is UTF-8 byte order, which is Rust's
 * string order. A plain object cannot be used to reorder keys: JavaScript always puts
 * integer-like keys first.
 */
export function stringifySorted(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => stringifySorted(item ?? null)).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(compareCodePoints)
      .map((key) => `${JSON.stringify(key)}:${stringifySorted(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Code-point order of two strings. UTF-16 order differs from it only where a surrogate
 * (U+D800–DFFF, part of a code point above U+FFFF) meets a unit in U+E000–FFFF, so those two
 * ranges are swapped before comparing the first differing unit.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
