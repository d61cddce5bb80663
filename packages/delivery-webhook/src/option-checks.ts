/** An option that must be a positive finite number; `fallback` when unset. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!(result > 0 && Number.isFinite(result))) throw new RangeError(`invalid ${name} ${value}`);
  return result;
}

/** An option that must be a positive integer; `fallback` when unset. */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!(Number.isSafeInteger(result) && result > 0)) {
    throw new RangeError(`invalid ${name} ${value}`);
  }
  return result;
}
