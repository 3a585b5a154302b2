/**
 * Parsing of the case API's request bodies and query strings into typed inputs. Every problem
 * is a 400 naming the field. Bodies are strict (an unknown key is an error: a typo such as
 * "reasn" must not pass silently); query strings ignore keys they do not know.
 */
import { isCaseId } from '../cases/case-id.ts';
import type { CaseListQuery } from '../cases/case-list.ts';
import type { VerdictInput } from '../cases/case-store.ts';
import type { CaseStatus, RejectReason } from '../events/event-model.ts';
import { badRequest } from './api-errors.ts';

/** Reasons a grid worker can reject a case with. */
export const REJECT_REASONS: readonly RejectReason[] = ['false_detection', 'wrong_event_type', 'duplicate', 'not_a_violation'];
const STATUSES: readonly (CaseStatus | 'pending')[] = ['pending', 'open', 'claimed', 'confirmed', 'rejected', 'resolved'];
const FILTER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_NOTE = 2000;

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

/** Body of POST /:id/claim and /:id/release: nothing (or `{}`). */
export function parseNoFields(body: unknown): void {
  object(body, []);
}

/** Body of POST /:id/resolve: `{ note? }`. */
export function parseResolve(body: unknown): { note?: string } {
  const n = note(object(body ?? {}, ['note']));
  return n ? { note: n } : {};
}

/**
 * Body of POST /:id/verdict: `{ verdict: confirmed|rejected, reason?, correctType?, note? }`; the
 * verdict is signed with `by`, the authenticated actor. `reason` is required with rejected and
 * refused with confirmed; `correctType` only with reason wrong_event_type, and must be a type
 * `knownType` accepts.
 */
export function parseVerdict(body: unknown, by: string, knownType: (id: string) => boolean): VerdictInput {
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
  return { by, verdict, ...(reason ? { reason: reason as RejectReason } : {}), ...(correctType ? { correctType: correctType as string } : {}), ...(n ? { note: n } : {}) };
}

type Query = Record<string, unknown>;

function filter(q: Query, key: string): string | undefined {
  const v = q[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !FILTER.test(v)) throw badRequest(key, 'one id of at most 128 letters, digits, ".", "_", ":", "-"');
  return v;
}

/** The filters GET /api/cases knows; any other key is a 400 (never silently ignored). */
const LIST_KEYS = ['status', 'grid', 'type', 'camera', 'limit', 'cursor', 'order'] as const;
/** Keys people reach for, and the one this API uses instead. */
const DID_YOU_MEAN: Readonly<Record<string, string>> = { cameraId: 'camera', eventType: 'type', event_type: 'type', camera_id: 'camera' };

/** Query of GET /api/cases: status, grid, type, camera, limit (1-200, default 50), cursor, order. */
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
  return {
    limit,
    ...(status ? { status: status as CaseStatus | 'pending' } : {}),
    ...(grid ? { grid } : {}),
    ...(type ? { type } : {}),
    ...(camera ? { camera } : {}),
    ...(cursor ? { cursor } : {}),
    ...(order ? { order } : {}),
  };
}
