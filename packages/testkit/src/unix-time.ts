/** Seconds since the epoch, the unit of every Nextcloud timestamp column. */
export function unixTime(): number {
  return Math.floor(Date.now() / 1000);
}
