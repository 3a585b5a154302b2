import type { SessionRecord, SystemAuditEntry, TokenRecord, UserRecord } from './identity-records.ts';

/**
 * Where users, service tokens, sessions, login failures and the system audit live. One
 * implementation per backend (today redis-identity-store.ts); everything else talks to this.
 * Implementations parse what they read back with the schemas of identity-records.ts.
 */
export interface IdentityStore {
  getUser(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  /** Adds a user; false when the username is taken. */
  createUser(user: UserRecord): Promise<boolean>;
  /** Replaces an existing user's record. */
  updateUser(user: UserRecord): Promise<void>;

  getToken(id: string): Promise<TokenRecord | null>;
  listTokens(): Promise<TokenRecord[]>;
  /** Adds or replaces a token. */
  putToken(token: TokenRecord): Promise<void>;

  /** Stores a session under the digest of its id, kept by the backend for at least `ttlMs`. */
  putSession(idDigest: string, session: SessionRecord, ttlMs: number): Promise<void>;
  getSession(idDigest: string): Promise<SessionRecord | null>;
  deleteSession(idDigest: string): Promise<void>;
  /** Ends every session of a user (after a password, role, grid or disabled change). */
  deleteUserSessions(username: string): Promise<void>;

  /** Counts one failed login for `key` within a window of `windowMs`; returns the count and ms left in the window. */
  addLoginFailure(key: string, windowMs: number): Promise<{ count: number; remainingMs: number }>;
  /** Failures counted for `key` in its current window. */
  loginFailures(key: string): Promise<{ count: number; remainingMs: number }>;
  clearLoginFailures(key: string): Promise<void>;

  appendAudit(entry: SystemAuditEntry): Promise<void>;
  /** The newest `limit` entries, newest first. */
  listAudit(limit: number): Promise<SystemAuditEntry[]>;

  /** Releases what the store holds (not a connection it was given). Safe to call twice. */
  close(): Promise<void>;
}
