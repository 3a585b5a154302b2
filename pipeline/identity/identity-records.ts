/**
 * What the identity store keeps, as zod schemas: everything read back from storage is parsed
 * with these (not cast), so a damaged record fails loudly instead of granting anything.
 */
import { z } from 'zod';
import { ROLES } from './roles.ts';

const RoleSchema = z.enum(ROLES as unknown as ['admin', 'operator', 'grid_worker', 'engineer', 'viewer']);
const Grids = z.array(z.string().min(1).max(128));

/** A person who logs in. */
export const UserRecordSchema = z.strictObject({
  username: z.string().min(1).max(64),
  displayName: z.string().max(128),
  role: RoleSchema,
  /** Grids a grid worker may see and act on (ignored for other roles). */
  grids: Grids,
  /** argon2id PHC string. Never leaves the identity module. */
  passwordHash: z.string().min(1),
  disabled: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
/** A person who logs in. */
export type UserRecord = z.infer<typeof UserRecordSchema>;

/** A user as anyone outside the identity module sees it: no hash. */
export interface PublicUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRecord['role'];
  readonly grids: readonly string[];
  readonly disabled?: boolean;
}

/** Strips the hash. */
export const publicUser = (u: UserRecord, withState = false): PublicUser => ({
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  grids: u.grids,
  ...(withState ? { disabled: u.disabled } : {}),
});

/** A service token for a machine (dispatch consumer, scraper, script). */
export const TokenRecordSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string().min(1).max(64),
  role: RoleSchema,
  grids: Grids,
  /** SHA-256 hex of the secret part. */
  secretDigest: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number().int(),
  createdBy: z.string(),
  /** Epoch ms after which it is refused; absent = no expiry. */
  expiresAt: z.number().int().optional(),
  /** Epoch ms it was revoked; absent = live. */
  revokedAt: z.number().int().optional(),
  revokedBy: z.string().optional(),
});
/** A service token for a machine. */
export type TokenRecord = z.infer<typeof TokenRecordSchema>;

/** A token as listings show it: no digest. */
export type PublicToken = Omit<TokenRecord, 'secretDigest'>;

/** Strips the digest. */
export const publicToken = ({ secretDigest: _omit, ...rest }: TokenRecord): PublicToken => rest;

/** A login session, keyed by the SHA-256 of its id. Carries a snapshot of the user: any change to the user ends their sessions. */
export const SessionRecordSchema = z.strictObject({
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  grids: Grids,
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
  /** Absolute expiry, epoch ms. */
  expiresAt: z.number().int(),
});
/** A login session. */
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

/** One line of the system audit: who did what, when, from which address. */
export const SystemAuditEntrySchema = z.strictObject({
  at: z.number().int(),
  /** Username, `token:<name>`, `cli:<os user>` or "anonymous". */
  actor: z.string(),
  /** The actor's role, when known. */
  role: z.string().optional(),
  /** Client address, when the action came over HTTP. */
  ip: z.string().optional(),
  /** e.g. patrol.pause, patrol.targets, config.reload, user.add, token.revoke, login.failed, login.locked */
  action: z.string(),
  /** What it acted on: a username, token id, camera id. */
  target: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
/** One line of the system audit. */
export type SystemAuditEntry = z.infer<typeof SystemAuditEntrySchema>;
