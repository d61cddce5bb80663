// Nearest-rank percentile, one definition for every benchmark, so figures compare like for like.

/** The p-th percentile (0–100) of `values` by nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** The median, as every benchmark reports its runs. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
