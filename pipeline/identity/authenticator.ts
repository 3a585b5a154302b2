import { AccountLockedError, AuthenticationError } from './identity-errors.ts';
import { type PublicUser, publicUser, type SessionRecord } from './identity-records.ts';
import type { IdentityStore } from './identity-store.ts';
import { burnVerification, verifyPassword } from './password.ts';
import type { Principal } from './principal.ts';
import { digest, newSessionId, parseToken, sameDigest } from './secrets.ts';

/** Session and lockout policy. */
export interface AuthenticatorOptions {
  /** A session unused this long ends, ms. Default 30 min. */
  readonly sessionIdleMs?: number;
  /** A session ends this long after login whatever happens, ms. Default 12 h. */
  readonly sessionMaxMs?: number;
  /** Consecutive failed logins (per account, within `lockMs`) that lock the account. Default 5. */
  readonly lockAfterFailures?: number;
  /** How long the failures are counted and the lock lasts, ms. Default 15 min. */
  readonly lockMs?: number;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/** A successful login: the session id goes into the cookie and nowhere else. */
export interface LoginResult {
  readonly sessionId: string;
  readonly user: PublicUser;
  /** Absolute expiry, epoch ms. */
  readonly expiresAt: number;
}

/** Where a login attempt came from (audited). */
export interface LoginFrom {
  readonly ip?: string;
}

// A session's last-seen time is written at most this often (reads stay one GET per request).
const TOUCH_EVERY_MS = 60_000;

/**
 * Logs people in and out, and turns a session id or a bearer token into a Principal. Failed
 * logins are counted per account; after `lockAfterFailures` the account is locked for `lockMs`
 * (even the right password gets AccountLockedError), and the system audit records each failure
 * and the lock.
 */
export class Authenticator {
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
  private readonly lockAfter: number;
  private readonly lockMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: IdentityStore,
    options: AuthenticatorOptions = {},
  ) {
    this.sessionIdleMs = options.sessionIdleMs ?? 30 * 60_000;
    this.sessionMaxMs = options.sessionMaxMs ?? 12 * 3_600_000;
    this.lockAfter = options.lockAfterFailures ?? 5;
    this.lockMs = options.lockMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Checks the password and opens a session. AuthenticationError (401) or AccountLockedError (429). */
  async login(username: string, password: string, from: LoginFrom = {}): Promise<LoginResult> {
    const key = username.toLowerCase();
    const ip = from.ip ? { ip: from.ip } : {};
    const failures = await this.store.loginFailures(key);
    if (failures.count >= this.lockAfter) {
      await this.store.appendAudit({ at: this.now(), actor: 'anonymous', ...ip, action: 'login.refused_locked', target: username });
      throw new AccountLockedError(failures.remainingMs / 1000);
    }
    const user = await this.store.getUser(username);
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await burnVerification(password), false);
    if (!user || !ok || user.disabled) {
      const after = await this.store.addLoginFailure(key, this.lockMs);
      const reason = !user ? 'unknown user' : !ok ? 'wrong password' : 'disabled';
      await this.store.appendAudit({ at: this.now(), actor: 'anonymous', ...ip, action: 'login.failed', target: username, detail: { reason, failures: after.count } });
      if (after.count >= this.lockAfter) {
        await this.store.appendAudit({ at: this.now(), actor: 'anonymous', ...ip, action: 'login.locked', target: username, detail: { failures: after.count, lockedForMs: after.remainingMs } });
        throw new AccountLockedError(after.remainingMs / 1000);
      }
      throw new AuthenticationError('wrong username or password');
    }
    await this.store.clearLoginFailures(key);
    const now = this.now();
    const sessionId = newSessionId();
    const session: SessionRecord = { username: user.username, displayName: user.displayName, role: user.role, grids: user.grids, createdAt: now, lastSeenAt: now, expiresAt: now + this.sessionMaxMs };
    await this.store.putSession(digest(sessionId), session, this.ttl(session, now));
    await this.store.appendAudit({ at: now, actor: user.username, role: user.role, ...ip, action: 'login' });
    return { sessionId, user: publicUser(user), expiresAt: session.expiresAt };
  }

  /** Ends a session (unknown ids: nothing to do). */
  async logout(sessionDigest: string): Promise<void> {
    await this.store.deleteSession(sessionDigest);
  }

  /** The principal of a live session id, or null (unknown, idle too long, past its absolute expiry). */
  async fromSession(sessionId: string): Promise<Principal | null> {
    if (sessionId.length < 20 || sessionId.length > 128) return null;
    const d = digest(sessionId);
    const s = await this.store.getSession(d);
    if (!s) return null;
    const now = this.now();
    if (now >= s.expiresAt || now - s.lastSeenAt >= this.sessionIdleMs) {
      await this.store.deleteSession(d);
      return null;
    }
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) {
      const next = { ...s, lastSeenAt: now };
      await this.store.putSession(d, next, this.ttl(next, now));
    }
    return { kind: 'session', name: s.username, actor: s.username, displayName: s.displayName, role: s.role, grids: s.grids, sessionDigest: d };
  }

  /** The principal of a live bearer token, or null (malformed, unknown, revoked, expired). */
  async fromToken(token: string): Promise<Principal | null> {
    const parts = parseToken(token);
    if (!parts) return null;
    const t = await this.store.getToken(parts.id);
    if (!t || !sameDigest(t.secretDigest, digest(parts.secret))) return null;
    if (t.revokedAt !== undefined || (t.expiresAt !== undefined && this.now() >= t.expiresAt)) return null;
    return { kind: 'token', name: t.name, actor: `token:${t.name}`, displayName: t.name, role: t.role, grids: t.grids };
  }

  // Redis keeps a session until it could no longer be valid (the checks above decide).
  private ttl(s: SessionRecord, now: number): number {
    return Math.min(s.expiresAt - now, this.sessionIdleMs) + 1000;
  }
}
