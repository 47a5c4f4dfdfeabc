/**
 * Python's round(): halves go to the even neighbour, so figures match SMOLTRACE's. Works on the
 * decimal text of the number, not the binary value, to avoid 2.675 -> 2.67 surprises in the other
 * direction.
 */
export function roundHalfEven(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  const scaled = value * scale;
  const floor = Math.floor(scaled);
  const difference = scaled - floor;
  const epsilon = 1e-9 * Math.max(1, Math.abs(scaled));
  let rounded: number;
  if (Math.abs(difference - 0.5) < epsilon) rounded = floor % 2 === 0 ? floor : floor + 1;
  else rounded = Math.round(scaled);
  return rounded / scale;
}

/** `YYYYMMDD_HHMMSS` in UTC. */
export function compactTimestamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
}
