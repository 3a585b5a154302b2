import { IdentityConflictError, IdentityInputError, IdentityNotFoundError } from './identity-errors.ts';
import { checkDisplayName, checkGrids, checkPassword, checkRole, checkUsername } from './identity-input.ts';
import { type PublicToken, type PublicUser, publicToken, publicUser, type TokenRecord, type UserRecord } from './identity-records.ts';
import type { IdentityStore } from './identity-store.ts';
import { hashPassword } from './password.ts';
import type { AuditActor } from './principal.ts';
import type { Role } from './roles.ts';
import { digest, newToken } from './secrets.ts';

/** A new user as asked for (checked by addUser). */
export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
  readonly grids?: readonly string[];
  readonly displayName?: string;
}

/** A new service token as asked for. */
export interface NewToken {
  readonly name: string;
  readonly role: Role;
  readonly grids?: readonly string[];
  /** Epoch ms after which it is refused; absent = never. */
  readonly expiresAt?: number;
}

/**
 * Users and service tokens: adding, listing, disabling, password changes, grants, token
 * creation and revocation. Every change is written to the system audit with who and from where,
 * and every change to a user ends that user's sessions.
 */
export class Accounts {
  constructor(
    private readonly store: IdentityStore,
    private readonly now: () => number = Date.now,
  ) {}

  private audit(by: AuditActor, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
    return this.store.appendAudit({ at: this.now(), ...by, action, target, ...(detail ? { detail } : {}) });
  }

  private async existing(username: string): Promise<UserRecord> {
    const u = await this.store.getUser(username);
    if (!u) throw new IdentityNotFoundError(`user "${username}"`);
    return u;
  }

  /** Adds a user (IdentityConflictError when the name is taken). */
  async addUser(input: NewUser, by: AuditActor): Promise<PublicUser> {
    const username = checkUsername(input.username);
    const role = checkRole(input.role);
    const grids = checkGrids(input.grids ?? [], role);
    const password = checkPassword(input.password);
    const now = this.now();
    const user: UserRecord = {
      username,
      displayName: checkDisplayName(input.displayName, username),
      role,
      grids,
      passwordHash: await hashPassword(password),
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.store.createUser(user))) throw new IdentityConflictError(`user "${username}" already exists`);
    await this.audit(by, 'user.add', username, { role, grids });
    return publicUser(user, true);
  }

  /** Every user, without hashes. */
  async listUsers(): Promise<PublicUser[]> {
    return (await this.store.listUsers()).map((u) => publicUser(u, true));
  }

  /** True when an enabled admin exists. */
  async hasAdmin(): Promise<boolean> {
    return (await this.store.listUsers()).some((u) => u.role === 'admin' && !u.disabled);
  }

  private async change(username: string, by: AuditActor, action: string, fn: (u: UserRecord) => UserRecord, detail?: Record<string, unknown>): Promise<PublicUser> {
    const next = { ...fn(await this.existing(username)), updatedAt: this.now() };
    await this.store.updateUser(next);
    await this.store.deleteUserSessions(username);
    await this.audit(by, action, username, detail);
    return publicUser(next, true);
  }

  /** Disables (or enables again) a user; a disabled user's sessions end at once. */
  setDisabled(username: string, disabled: boolean, by: AuditActor): Promise<PublicUser> {
    return this.change(username, by, disabled ? 'user.disable' : 'user.enable', (u) => ({ ...u, disabled }));
  }

  /** Sets a new password; the user's sessions end. */
  async setPassword(username: string, password: string, by: AuditActor): Promise<PublicUser> {
    const hash = await hashPassword(checkPassword(password));
    return this.change(username, by, 'user.passwd', (u) => ({ ...u, passwordHash: hash }));
  }

  /** Changes a user's role and/or grids; the user's sessions end. */
  grant(username: string, grant: { role?: Role; grids?: readonly string[] }, by: AuditActor): Promise<PublicUser> {
    if (grant.role === undefined && grant.grids === undefined) throw new IdentityInputError('role', 'give a role, grids or both');
    return this.change(
      username,
      by,
      'user.grant',
      (u) => {
        const role = grant.role === undefined ? u.role : checkRole(grant.role);
        return { ...u, role, grids: checkGrids(grant.grids ?? u.grids, role) };
      },
      { ...(grant.role ? { role: grant.role } : {}), ...(grant.grids ? { grids: grant.grids } : {}) },
    );
  }

  /** Creates a service token. The returned `token` string is shown once and never stored. */
  async createToken(input: NewToken, by: AuditActor): Promise<{ token: string; record: PublicToken }> {
    const name = checkUsername(input.name, 'name');
    const role = checkRole(input.role);
    const grids = checkGrids(input.grids ?? [], role);
    if (input.expiresAt !== undefined && (!Number.isInteger(input.expiresAt) || input.expiresAt <= this.now())) {
      throw new IdentityInputError('expiresAt', 'a time in the future');
    }
    const { id, secret, token } = newToken();
    const record: TokenRecord = {
      id,
      name,
      role,
      grids,
      secretDigest: digest(secret),
      createdAt: this.now(),
      createdBy: by.actor,
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    };
    await this.store.putToken(record);
    await this.audit(by, 'token.create', id, { name, role, grids, ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}) });
    return { token, record: publicToken(record) };
  }

  /** Every token, without digests (revoked ones included, marked). */
  async listTokens(): Promise<PublicToken[]> {
    return (await this.store.listTokens()).map(publicToken);
  }

  /** Revokes a token: refused from the next request on. Revoking twice changes nothing. */
  async revokeToken(id: string, by: AuditActor): Promise<PublicToken> {
    const t = await this.store.getToken(id);
    if (!t) throw new IdentityNotFoundError(`token "${id}"`);
    if (t.revokedAt !== undefined) return publicToken(t);
    const next: TokenRecord = { ...t, revokedAt: this.now(), revokedBy: by.actor };
    await this.store.putToken(next);
    await this.audit(by, 'token.revoke', id, { name: t.name });
    return publicToken(next);
  }
}
