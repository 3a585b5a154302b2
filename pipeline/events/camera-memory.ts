/**
 * The per-camera memory of where objects were, which lets 'visits' persistence say "the same car
 * is still there ten minutes later". Small plain JSON, so it can live in Redis beside the patrol
 * state and survive a restart.
 */
import { z } from 'zod';
import type { NormBox } from './event-model.ts';
import { CameraMemoryError } from './rule-errors.ts';

/** One object a rule is following in one zone across visits. */
export interface TrackedObject {
  readonly ruleId: string;
  /** Zone name, or null for a whole-frame rule. */
  readonly zone: string | null;
  /**
   * Label of the latest sighting. The rule's classes are one label group when matching: a bus
   * detected as a truck on the next visit is still the same vehicle.
   */
  readonly label: string;
  /**
   * Where it was first seen, 0-1. Later sightings must overlap this reference place (not the
   * previous one), so a slowly creeping queue of cars never counts as parked.
   */
  readonly box: NormBox;
  /** Epoch ms of the first and latest sighting. */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** Visits it was seen on. */
  readonly hits: number;
  /** Epoch ms after which it is forgotten unless seen again: lastSeenAt + the rule's maxGapS. */
  readonly expiresAt: number;
}

/** What a camera remembers between visits. */
export interface CameraMemory {
  readonly version: 1;
  readonly tracks: readonly TrackedObject[];
}

/** At most this many tracks per rule and zone are kept, the most recently seen first. */
export const MAX_TRACKS_PER_ZONE = 100;

/** A camera that has never been visited. */
export function emptyCameraMemory(): CameraMemory {
  return { version: 1, tracks: [] };
}

const unit = z.number().min(0).max(1);
const epoch = z.number().int().nonnegative();

const CameraMemorySchema = z.strictObject({
  version: z.literal(1),
  tracks: z.array(
    z.strictObject({
      ruleId: z.string().min(1),
      zone: z.string().min(1).nullable(),
      label: z.string(),
      box: z.tuple([unit, unit, unit, unit]),
      firstSeenAt: epoch,
      lastSeenAt: epoch,
      hits: z.number().int().positive(),
      expiresAt: epoch,
    }),
  ),
});

/**
 * Validates a stored memory (parsed JSON).
 * @throws CameraMemoryError naming the first bad key path.
 */
export function parseCameraMemory(json: unknown): CameraMemory {
  const parsed = CameraMemorySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first && first.path.length ? first.path.join('.') : '(root)';
  throw new CameraMemoryError(`camera memory is invalid: ${where}: ${first?.message ?? 'unknown problem'}`, { cause: parsed.error });
}

/** Key of a rule's tracks in one zone. */
export function trackKey(ruleId: string, zone: string | null): string {
  return `${ruleId}\u0000${zone ?? ''}`;
}
