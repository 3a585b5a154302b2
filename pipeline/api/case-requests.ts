/**
 * Parsing of the case API's request bodies and query strings into typed inputs. Every problem
 * is a 400 naming the field. Bodies are strict (an unknown key is an error: a typo such as
 * "reasn" must not pass silently); so are query strings (an unknown filter is a 400).
 */
import { isCaseId } from '../cases/case-id.ts';
import type { CaseListQuery } from '../cases/case-list.ts';
import type { VerdictInput } from '../cases/case-store.ts';
import { CASE_STATUSES, type CaseStatus, type RejectReason, UNIT_LEVELS, type UnitLevel } from '../cases/case-model.ts';
import { badRequest } from './api-errors.ts';

/** Reasons a grid worker can reject a case with. */
export const REJECT_REASONS: readonly RejectReason[] = ['false_detection', 'wrong_event_type', 'duplicate', 'not_a_violation'];
const STATUSES: readonly (CaseStatus | 'pending' | 'active')[] = ['pending', 'active', ...CASE_STATUSES];
const FILTER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Longest note or reason, characters. */
export const MAX_NOTE = 2000;

type Body = Record<string, unknown>;

function object(body: unknown, allowed: readonly string[]): Body {
  // Claim and release carry nothing: no body at all is fine.
  if (body === undefined && !allowed.includes('verdict')) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body', 'a JSON object is required (Content-Type: application/json)');
  // Who acts is the authenticated identity, never what the client states.
  if ('by' in body) throw badRequest('by', 'not accepted: the actor is the logged-in user or the bearer token, never a field of the request');
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badRequest(key, `unknown field; allowed: ${allowed.join(', ') || 'none'}`);
  return body as Body;
}

function note(b: Body): string | undefined {
  const n = b.note;
  if (n === undefined) return undefined;
  if (typeof n !== 'string' || n.length > MAX_NOTE) throw badRequest('note', `a string of at most ${MAX_NOTE} characters`);
  return n || undefined;
}

/** Body of POST /:id/claim, /:id/release and /:id/accept: nothing (or `{}`). */
export function parseNoFields(body: unknown): void {
  object(body, []);
}

/** Body of POST /:id/break-claim: `{ reason? }` (reason as a note). */
export function parseBreak(body: unknown): { reason?: string } {
  const b = object(body, ['reason']);
  const r = note({ note: b.reason });
  return r ? { reason: r } : {};
}

/** Largest after-photo accepted, bytes (decoded): 8 MB, as the worker app and POST /:id/after-photo allow. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;

/** Body of POST /:id/handle (and its old name /resolve): `{ note?, photoJpegBase64? }`. */
export function parseHandle(body: unknown): { note?: string; photo?: Buffer } {
  const b = object(body, ['note', 'photoJpegBase64']);
  const n = note(b);
  const raw = b.photoJpegBase64;
  let photo: Buffer | undefined;
  if (raw !== undefined) {
    if (typeof raw !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(raw)) throw badRequest('photoJpegBase64', 'a base64-encoded JPEG');
    photo = Buffer.from(raw, 'base64');
    if (photo.length > MAX_PHOTO_BYTES) throw badRequest('photoJpegBase64', `at most ${MAX_PHOTO_BYTES} bytes`);
    if (photo.length < 4 || photo[0] !== 0xff || photo[1] !== 0xd8) throw badRequest('photoJpegBase64', 'not a JPEG (must start with FF D8)');
  }
  return { ...(n ? { note: n } : {}), ...(photo ? { photo } : {}) };
}

/** Body of POST /:id/escalate: `{ toLevel?, reason? }`; toLevel must be the next level up. */
export function parseEscalate(body: unknown): { toLevel?: UnitLevel; reason?: string } {
  const b = object(body, ['toLevel', 'reason']);
  const to = b.toLevel;
  if (to !== undefined && !UNIT_LEVELS.includes(to as UnitLevel)) throw badRequest('toLevel', `one of ${UNIT_LEVELS.join(', ')}`);
  const r = note({ note: b.reason });
  return { ...(to ? { toLevel: to as UnitLevel } : {}), ...(r ? { reason: r } : {}) };
}

/** Longest unit name, characters (the catalogue's limit). */
export const MAX_UNIT = 200;
/** Longest reason for closing a case by hand, characters. */
export const MAX_CLOSE_REASON = 500;

/** Body of POST /:id/reassign: `{ unit, reason? }`; the unit is checked against the units table by the store. */
export function parseReassign(body: unknown): { unit: string; reason?: string } {
  const b = object(body, ['unit', 'reason']);
  const unit = b.unit;
  if (typeof unit !== 'string' || unit.trim() === '' || unit.length > MAX_UNIT) throw badRequest('unit', `required: a unit id of 1-${MAX_UNIT} characters (GET /api/units lists them)`);
  const r = note({ note: b.reason });
  return { unit, ...(r ? { reason: r } : {}) };
}

/** Body of POST /:id/close: `{ reason (1-500 characters, required), note? }`. */
export function parseClose(body: unknown): { reason: string; note?: string } {
  const b = object(body, ['reason', 'note']);
  const reason = b.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_CLOSE_REASON) {
    throw badRequest('reason', `required: why the case is closed by hand, 1-${MAX_CLOSE_REASON} characters`);
  }
  const n = note(b);
  return { reason, ...(n ? { note: n } : {}) };
}

/**
 * Body of POST /:id/verdict: `{ verdict: confirmed|rejected, reason?, correctType?, note? }`; the
 * route signs it with the authenticated actor. `reason` is required with rejected and
 * refused with confirmed; `correctType` only with reason wrong_event_type, and must be a type
 * `knownType` accepts.
 */
export function parseVerdict(body: unknown, knownType: (id: string) => boolean): VerdictInput {
  const b = object(body, ['verdict', 'reason', 'correctType', 'note']);
  const verdict = b.verdict;
  if (verdict !== 'confirmed' && verdict !== 'rejected') throw badRequest('verdict', 'required: "confirmed" or "rejected"');
  const reason = b.reason;
  if (verdict === 'rejected' && reason === undefined) throw badRequest('reason', `required when rejected: one of ${REJECT_REASONS.join(', ')}`);
  if (verdict === 'confirmed' && reason !== undefined) throw badRequest('reason', 'only with verdict "rejected"');
  if (reason !== undefined && !REJECT_REASONS.includes(reason as RejectReason)) throw badRequest('reason', `one of ${REJECT_REASONS.join(', ')}`);
  const correctType = b.correctType;
  if (correctType !== undefined) {
    if (reason !== 'wrong_event_type') throw badRequest('correctType', 'only with reason "wrong_event_type"');
    if (typeof correctType !== 'string' || !knownType(correctType)) throw badRequest('correctType', 'must be a known event type id');
  }
  const n = note(b);
  return { verdict, ...(reason ? { reason: reason as RejectReason } : {}), ...(correctType ? { correctType: correctType as string } : {}), ...(n ? { note: n } : {}) };
}

type Query = Record<string, unknown>;

function filter(q: Query, key: string): string | undefined {
  const v = q[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !FILTER.test(v)) throw badRequest(key, 'one id of at most 128 letters, digits, ".", "_", ":", "-"');
  return v;
}

/** The filters GET /api/cases knows; any other key is a 400 (never silently ignored). */
const LIST_KEYS = ['status', 'grid', 'type', 'camera', 'unit', 'overdue', 'limit', 'cursor', 'order'] as const;
/** Keys people reach for, and the one this API uses instead. */
const DID_YOU_MEAN: Readonly<Record<string, string>> = { cameraId: 'camera', eventType: 'type', event_type: 'type', camera_id: 'camera' };

/** Query of GET /api/cases: status, grid, type, camera, unit, overdue, limit (1-200, default 50), cursor, order. */
export function parseListQuery(q: Query): CaseListQuery {
  for (const key of Object.keys(q)) {
    if ((LIST_KEYS as readonly string[]).includes(key)) continue;
    const hint = DID_YOU_MEAN[key];
    throw badRequest(key.slice(0, 64), `unknown filter${hint ? `: use "${hint}"` : ''}; filters are ${LIST_KEYS.join(', ')}`);
  }
  const status = filter(q, 'status');
  if (status !== undefined && !STATUSES.includes(status as CaseStatus)) throw badRequest('status', `one of ${STATUSES.join(', ')}`);
  const rawLimit = q.limit;
  const limit = rawLimit === undefined || rawLimit === '' ? 50 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest('limit', 'an integer from 1 to 200');
  const cursor = filter(q, 'cursor');
  if (cursor !== undefined && !isCaseId(cursor)) throw badRequest('cursor', 'the nextCursor of a previous page');
  const order = filter(q, 'order');
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw badRequest('order', '"asc" (oldest first, default) or "desc"');
  const [grid, type, camera] = [filter(q, 'grid'), filter(q, 'type'), filter(q, 'camera')];
  const unitRaw = q.unit;
  if (unitRaw !== undefined && (typeof unitRaw !== 'string' || unitRaw.length > 200)) throw badRequest('unit', 'one unit name of at most 200 characters');
  const unit = unitRaw ? (unitRaw as string) : undefined;
  const overdueRaw = q.overdue;
  if (overdueRaw !== undefined && overdueRaw !== 'true' && overdueRaw !== 'false') throw badRequest('overdue', '"true" or "false"');
  return {
    limit,
    ...(status ? { status: status as CaseStatus | 'pending' | 'active' } : {}),
    ...(grid ? { grid } : {}),
    ...(type ? { type } : {}),
    ...(camera ? { camera } : {}),
    ...(unit ? { unit } : {}),
    ...(overdueRaw === 'true' ? { overdue: true } : {}),
    ...(cursor ? { cursor } : {}),
    ...(order ? { order } : {}),
  };
}
