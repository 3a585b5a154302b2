import { z } from 'zod';
import { PRIORITIES, type SchedulerStatus } from './types.ts';

/** {@link PriorityStatus} as read back from Redis (the leader publishes it as JSON). */
export const PriorityStatusSchema = z.object({
  priority: z.enum(PRIORITIES),
  cameras: z.number(),
  targetS: z.number(),
  achievedMedianS: z.number().nullable(),
  achievedP95S: z.number().nullable(),
  achievedMaxS: z.number().nullable(),
  stalestS: z.number().nullable(),
});

/** {@link SchedulerStatus} as read back from Redis; checked against the interface below. */
export const SchedulerStatusSchema = z.object({
  paused: z.boolean(),
  cameras: z.number(),
  enabled: z.number(),
  due: z.number(),
  overdue: z.number(),
  inFlight: z.number(),
  held: z.number(),
  requested: z.number(),
  activeWindows: z.array(z.string()),
  perPriority: z.array(PriorityStatusSchema),
});

// The schema and the interface must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const check: Same<z.infer<typeof SchedulerStatusSchema>, { -readonly [K in keyof SchedulerStatus]: SchedulerStatus[K] extends readonly (infer T)[] ? T[] : SchedulerStatus[K] }> = true;
void check;
