/**
 * The `events` section: event types and rules added to, or overriding, the shipped catalogue
 * (pipeline/events/default-catalogue.ts). An entry whose id is shipped overrides the fields it
 * gives; a new id must give every required field (checked in resolve-events.ts, with key paths).
 */
import { z } from 'zod';
import { AreaTypeSchema, SlugSchema } from './camera-schema.ts';
import { EventTypeIdSchema, RuleIdSchema, ZoneKindSchema } from './event-ids.ts';

const MAX_S = 7 * 24 * 3600;
const unit = (what: string) => z.number().min(0, `${what} must be 0-1`).max(1, `${what} must be 0-1`);

const deadline = (level: string) =>
  z.number().int().min(1).max(525_600).describe(`Minutes to handle a case at the ${level} level, 1-525600.`);

/** Keys of a responsible-unit map: an area type or `default`. */
export const UnitKeySchema = z.enum([...AreaTypeSchema.options, 'default']);

/** One event type: a new one (every field but responsibleUnit's extra keys required) or an override of a shipped one. */
export const EventTypeEntrySchema = z.strictObject({
  id: EventTypeIdSchema.describe('Event type id; a shipped id (illegal_parking, ...) overrides that type.'),
  nameZh: z.string().min(1).max(100).optional().describe('Chinese name, e.g. 违章停车. Required for a new type.'),
  nameEn: z.string().min(1).max(100).optional().describe('English name. Required for a new type.'),
  category: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'letters, digits, ".", "_" and "-", at most 32')
    .optional()
    .describe("Category code of the district's case system, e.g. 05-05. Required for a new type."),
  severity: z.enum(['low', 'medium', 'high', 'critical']).optional().describe('low | medium | high | critical. Required for a new type.'),
  deadlineMinutes: z
    .number()
    .int()
    .min(1)
    .max(525_600)
    .optional()
    .describe('Minutes allowed to handle a case, from dispatch, 1-525600. Required for a new type.'),
  deadlineMinutesByLevel: z
    .strictObject({
      community: deadline('community').optional(),
      street_office: deadline('street_office').optional(),
      district: deadline('district').optional(),
    })
    .optional()
    .describe(
      'Minutes to handle a case at each level, 1-525600: community (where a case opens), street_office and district (after an escalation, counted from it). A level not given uses deadlineMinutes. Merged level by level over a shipped type.',
    ),
  responsibleUnit: z
    .partialRecord(UnitKeySchema, z.string().min(1).max(200))
    .optional()
    .describe('Responsible unit per area type, plus `default` (required for a new type); merged key by key over a shipped type.'),
});

/** Within one visit: the condition holds in at least k of the visit's last n frames. */
export const FramesPersistenceSchema = z.strictObject({
  kind: z.literal('frames'),
  k: z.number().int().min(1).max(100).describe('Frames, 1-100, at most n and at most patrol.dwell.frames.'),
  n: z.number().int().min(1).max(100).describe('Window: the visit\'s last n frames, 1-100.'),
});

/** Across visits: the same objects are still there minDurationS after first seen. */
export const VisitsPersistenceSchema = z.strictObject({
  kind: z.literal('visits'),
  minDurationS: z.number().min(0).max(MAX_S).describe('Seconds from first sighting to confirmation, 0-604800.'),
  minIou: z.number().gt(0, 'minIou must be above 0').max(1).default(0.5).describe('IoU with the first-seen box that counts as the same place, (0, 1]; default 0.5.'),
  maxGapS: z.number().positive().max(MAX_S).default(1800).describe('Seconds unseen after which an object is forgotten, up to 604800; default 1800.'),
});

/** How a rule judges persistence. */
export const PersistenceSchema = z
  .discriminatedUnion('kind', [FramesPersistenceSchema, VisitsPersistenceSchema])
  .describe('{ kind: frames, k, n } (k of n frames within a visit) or { kind: visits, minDurationS, minIou, maxGapS } (across visits).');

/** One rule: a new one, an override of a shipped one (fields given replace the shipped ones), or `disabled: true`. */
export const RuleEntrySchema = z.strictObject({
  id: RuleIdSchema.describe('Rule id; a shipped id (illegal_parking, ...) overrides or disables that rule.'),
  disabled: z.boolean().optional().describe('true removes the rule (shipped or earlier); default false.'),
  eventType: EventTypeIdSchema.optional().describe('Event type it raises, from the catalogue. Required for a new rule.'),
  classes: z.array(z.string().min(1).max(64)).min(1).max(50).optional().describe('Detector labels that count. Required for a new rule.'),
  withClasses: z
    .array(z.string().min(1).max(64))
    .max(50)
    .optional()
    .describe('Labels that must also be in the zone (e.g. person at a stall); default none.'),
  zoneKinds: z.array(ZoneKindSchema).max(20).optional().describe('Zone kinds watched; [] = the whole frame. Default for a new rule [].'),
  anchor: z
    .enum(['bottom_center', 'center'])
    .optional()
    .describe('Box point that must be in the zone: bottom_center (where it stands; default) or center (fire, smoke).'),
  minScore: unit('minScore').optional().describe('Minimum detection score 0-1; default for a new rule 0.35.'),
  minArea: unit('minArea').optional().describe('Minimum box area, fraction of the frame 0-1; default for a new rule 0.'),
  minCount: z.number().int().min(1).max(1000).optional().describe('Minimum matching objects in the zone, 1-1000; default for a new rule 1.'),
  persistence: PersistenceSchema.optional(),
  areaTypes: z.array(AreaTypeSchema).min(1).optional().describe('Only cameras of these area types; default all.'),
  cameraIds: z.array(SlugSchema).min(1).optional().describe('Only these cameras; default all.'),
});

/** The `events` section. */
export const EventsSchema = z
  .strictObject({
    catalogue: z.array(EventTypeEntrySchema).max(500).default([]).describe('Event types added or overridden by id; default none (the shipped six).'),
    rules: z.array(RuleEntrySchema).max(1000).default([]).describe('Rules added, overridden or disabled by id; default none (the shipped rules).'),
  })
  .prefault({})
  .describe('Event types and the rules that raise them, over the shipped catalogue.');

/** The `events` section as written (before merging over the shipped catalogue). */
export type EventsSection = z.output<typeof EventsSchema>;
/** One rule entry as written. */
export type RuleEntry = EventsSection['rules'][number];
