/** A Redis stream entry id, "<ms>-<seq>" (what the live feed sends as the SSE event id). */
export const STREAM_ID = /^\d{1,15}-\d{1,15}$/;

/** Orders two stream ids: negative when a is older than b, 0 when equal, positive when newer. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am === bm ? as - bs : am - bm;
}
