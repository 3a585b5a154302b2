import { z } from 'zod';
import { CASE_STATUSES, type CaseRecord, type CaseStatus, UNIT_LEVELS, type UnitLevel } from '../cases/case-model.ts';

const ms = z.number().int().nonnegative().describe('Epoch ms.');
const unit = z.number().min(0).max(1);
// Box edges computed in floating point land a hair outside 0-1; export clips them.
const coord = z.number().min(-0.01).max(1.01);
const normBox = z.tuple([coord, coord, coord, coord]).describe('[x1, y1, x2, y2], 0-1 of the frame (0.01 tolerance).');

/** A verdict as stored (see Verdict in cases/case-model.ts). */
const VerdictSchema = z.looseObject({
  verdict: z.enum(['confirmed', 'rejected']),
  reason: z.enum(['false_detection', 'wrong_event_type', 'duplicate', 'not_a_violation']).optional(),
  correctType: z.string().min(1).optional(),
  note: z.string().optional(),
  by: z.string(),
  at: ms,
});

/** Statuses of exports made before the record (Redis case store), mapped onto the closed loop's. */
const OLD_STATUS: Readonly<Record<string, CaseStatus>> = { open: 'opened', claimed: 'opened', confirmed: 'accepted', resolved: 'closed' };

/**
 * A CaseRecord read from a file (as the API exports cases). Every field of the record is checked;
 * unknown extra fields pass through, so a newer case store's exports still read; exports of the
 * previous release (statuses open / claimed / confirmed / resolved, no version) read too.
 */
export const CaseRecordSchema = z.looseObject({
  id: z.string().min(1),
  eventType: z.string().min(1),
  category: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  cameraId: z.string().min(1),
  grid: z.string(),
  areaType: z.string(),
  zone: z.string().nullable(),
  status: z.enum(['open', 'claimed', 'confirmed', 'resolved', ...CASE_STATUSES] as unknown as [string, ...string[]]),
  version: z.number().int().positive().optional(),
  ruleId: z.string().optional(),
  firstSeenAt: ms.optional(),
  level: z.enum(UNIT_LEVELS as [UnitLevel, ...UnitLevel[]]).optional(),
  reopenCount: z.number().int().nonnegative().optional(),
  suppressed: z.number().int().nonnegative().optional(),
  openedAt: ms,
  lastSeenAt: ms,
  count: z.number().int().nonnegative(),
  confidence: unit,
  boxes: z.array(z.looseObject({ label: z.string().min(1), score: unit, box: normBox })),
  place: normBox,
  model: z.string().min(1),
  shadow: z.boolean().optional().describe("A shadow candidate's case (never dispatched; kept out of the accuracy totals)."),
  evidence: z.looseObject({ first: z.string(), latest: z.string(), best: z.string(), raw: z.string().optional() }),
  deadline: ms,
  responsibleUnit: z.string(),
  dispatchedAt: ms.optional(),
  claimedBy: z.string().optional(),
  verdict: VerdictSchema.optional(),
  resolvedAt: ms.optional(),
  closedAt: ms.optional(),
}).transform(
  (c): CaseRecord =>
    ({
      ...c,
      status: OLD_STATUS[c.status] ?? (c.status as CaseStatus),
      version: c.version ?? 1,
      ruleId: c.ruleId ?? '',
      firstSeenAt: c.firstSeenAt ?? c.openedAt,
      level: c.level ?? 'community',
      reopenCount: c.reopenCount ?? 0,
      suppressed: c.suppressed ?? 0,
      ...(c.closedAt ?? c.resolvedAt ? { closedAt: c.closedAt ?? c.resolvedAt } : {}),
    }) as CaseRecord,
);

/** A cases file: an array of cases, or `{ "cases": [...] }` as an API list response. */
export const CasesFileSchema = z.union([z.array(CaseRecordSchema), z.looseObject({ cases: z.array(CaseRecordSchema) })]);
