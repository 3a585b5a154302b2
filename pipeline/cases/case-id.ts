import { randomBytes } from 'node:crypto';

/** Width of the base-36 millisecond time in an id: 36^9 ms reaches the year 5188. */
const TIME_WIDTH = 9;
const CASE_ID = /^c_[0-9a-z]{9}_[0-9a-z]{10}$/;

/**
 * A new case id, `c_<time>_<random>`: the time is epoch ms in base 36, zero-padded to 9 characters,
 * so ids sort by opening time as plain strings (the list indexes rely on that); the random part is
 * 10 base-36 characters (~51 bits) so two processes opening cases in the same millisecond never collide.
 * Safe as a BullMQ job id (no ":" and not an integer).
 */
export function newCaseId(now: number = Date.now(), random: Uint8Array = randomBytes(8)): string {
  const time = Math.floor(now).toString(36).padStart(TIME_WIDTH, '0');
  let n = 0n;
  for (const b of random.subarray(0, 8)) n = (n << 8n) | BigInt(b);
  const rand = n.toString(36).padStart(10, '0').slice(-10);
  return `c_${time}_${rand}`;
}

/** True when `s` has the shape of a case id (it may still be unknown). */
export function isCaseId(s: string): boolean {
  return CASE_ID.test(s);
}

/** Epoch ms encoded in a case id, or undefined when it is not one. */
export function caseIdTime(id: string): number | undefined {
  return isCaseId(id) ? parseInt(id.slice(2, 2 + TIME_WIDTH), 36) : undefined;
}
