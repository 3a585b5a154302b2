import { z } from 'zod';
import { TIME_OF_DAY_PATTERN } from '../patrol/time-of-day.ts';
import { isValidTimeZone, systemTimeZone } from '../patrol/zoned-time.ts';
import { AreaTypeSchema, SlugSchema } from './camera-schema.ts';

/** A revisit target in seconds, 5 s to 1 day. */
const targetS = z.number().min(5).max(86_400);

const targets = z.strictObject({
  key: targetS.default(120).describe('Revisit target of key cameras, s; default 120.'),
  normal: targetS.default(900).describe('Revisit target of normal cameras, s; default 900.'),
  low: targetS.default(1800).describe('Revisit target of low cameras, s; default 1800.'),
});

const partialTargets = z.strictObject({
  key: targetS.optional().describe('Key cameras of this area type, s.'),
  normal: targetS.optional().describe('Normal cameras of this area type, s.'),
  low: targetS.optional().describe('Low cameras of this area type, s.'),
});

const WeekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** A recurring local time window with its own revisit target. */
export const TimeWindowSchema = z
  .strictObject({
    name: z.string().min(1).max(64).describe('Window name, unique.'),
    areaTypes: z.array(AreaTypeSchema).min(1).optional().describe('Cameras of these area types are in the window.'),
    cameraIds: z.array(SlugSchema).min(1).optional().describe('These cameras are in the window (as well).'),
    days: z
      .array(WeekdaySchema)
      .min(1)
      .default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
      .describe('Days (mon..sun) on which the window opens, in patrol.timezone; default every day.'),
    start: z.string().regex(TIME_OF_DAY_PATTERN, 'must be "HH:MM", 00:00-23:59').describe('Local opening time "HH:MM".'),
    end: z.string().regex(TIME_OF_DAY_PATTERN, 'must be "HH:MM", 00:00-24:00').describe('Local closing time "HH:MM"; at or before start = the next day.'),
    targetS: targetS.describe('Revisit target inside the window, s (5-86400); replaces the usual target.'),
  })
  .superRefine((w, ctx) => {
    if (!w.areaTypes && !w.cameraIds) ctx.addIssue({ code: 'custom', message: 'give areaTypes or cameraIds (or both)' });
    if (w.start === '24:00') ctx.addIssue({ code: 'custom', path: ['start'], message: 'must be "HH:MM", 00:00-23:59', input: w.start });
    if (w.start === w.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end equals start (a window cannot last 0 or 24 h)', input: w.end });
    if (new Set(w.days).size !== w.days.length) ctx.addIssue({ code: 'custom', path: ['days'], message: 'a day is listed twice', input: w.days });
  });

/** How cameras are patrolled. */
export const PatrolSchema = z.strictObject({
  revisitTargets: targets
    .extend({
      byAreaType: z
        .partialRecord(AreaTypeSchema, partialTargets)
        .default({})
        .describe('Per area type, targets that replace the priority targets (s); default none.'),
    })
    .prefault({})
    .describe('Target revisit interval per priority, s.'),
  dwell: z
    .strictObject({
      frames: z.number().int().min(1).max(30).default(3).describe('Frames taken per visit; default 3.'),
      spacingMs: z.number().int().min(0).max(10_000).default(500).describe('Time between those frames, ms; default 500.'),
    })
    .prefault({})
    .describe('What one visit looks at.'),
  timeWindows: z.array(TimeWindowSchema).max(100).default([]).describe('Time windows with their own targets; default none.'),
  visitsInFlightPerWorker: z
    .union([z.literal('auto'), z.number().int().min(1).max(64)])
    .default('auto')
    .describe(
      'Visits one worker runs at once (1-64), or "auto": a number per core of the worker measured to keep its cores busy (pipeline/visit/worker-capacity.ts); default "auto".',
    ),
  detectorProcesses: z
    .union([z.literal('auto'), z.number().int().min(0).max(64)])
    .default('auto')
    .describe(
      'Detector processes of one worker (1-64, each runs one frame at a time), 0 to run the detector on the main thread (blocks the event loop ~35 ms a frame), or "auto": one per core; default "auto".',
    ),
  childNice: z
    .number()
    .int()
    .min(0)
    .max(19)
    .default(10)
    .describe(
      "Niceness added to the worker's detector processes and ffmpeg runs (0-19, capped at 19 in all): they then yield the cores to the worker's own process, whose event loop (API, scheduling, Redis, the events stage) wakes on time while they saturate the cores. 0 gives them the worker's priority. Default 10.",
    ),
  timeouts: z
    .strictObject({
      connectMs: z.number().int().min(100).max(120_000).default(5000).describe('RTSP connect timeout, ms; default 5000.'),
      firstFrameMs: z.number().int().min(100).max(120_000).default(8000).describe('Time allowed to the first decoded frame, ms; default 8000.'),
      visitMs: z.number().int().min(1000).max(600_000).default(20_000).describe('Whole visit limit, ms; default 20000.'),
    })
    .prefault({})
    .describe('Visit time limits.'),
  quarantine: z
    .strictObject({
      failuresBeforeQuarantine: z.number().int().min(1).max(100).default(3).describe('Consecutive failed visits before a camera is held back; default 3.'),
      baseBackoffS: z.number().min(1).max(86_400).default(60).describe('First hold, s; doubles on each further failure; default 60.'),
      maxBackoffS: z.number().min(1).max(604_800).default(3600).describe('Longest hold, s; default 3600.'),
    })
    .prefault({})
    .refine((q) => q.maxBackoffS >= q.baseBackoffS, { path: ['maxBackoffS'], message: 'must be at least baseBackoffS' })
    .describe('Backoff for failing cameras.'),
  starvationFactor: z
    .number()
    .min(1)
    .max(100)
    .default(3)
    .describe('A camera unserved for this many targets goes before all merely due ones, key included; default 3.'),
  leadFraction: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.02)
    .describe('Cameras fall due this fraction of their target early, a margin for waiting on a free slot; default 0.02.'),
  timezone: z
    .string()
    .refine(isValidTimeZone, 'unknown IANA time zone')
    .default(systemTimeZone)
    .describe("IANA time zone of the time windows (e.g. Asia/Shanghai); default the system's."),
});
export type PatrolConfig = z.output<typeof PatrolSchema>;
