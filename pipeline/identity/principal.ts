import { isGridScoped, type Role } from './roles.ts';

/** Who a request acts as: a logged-in user or a service token. Built only by the authenticator. */
export interface Principal {
  readonly kind: 'session' | 'token';
  /** Username, or the token's name. */
  readonly name: string;
  /** What audit trails record: the username, or `token:<name>`. */
  readonly actor: string;
  readonly displayName: string;
  readonly role: Role;
  /** Grids a grid worker may see; meaningless for other roles (they see every grid). */
  readonly grids: readonly string[];
  /** SHA-256 of the session id (sessions only): what logout deletes. */
  readonly sessionDigest?: string;
}

/** True when the principal may see things of `grid`. */
export const seesGrid = (p: Principal, grid: string): boolean => !isGridScoped(p.role) || p.grids.includes(grid);

/** Who did something, for audit entries. */
export interface AuditActor {
  readonly actor: string;
  readonly role?: string;
  /** Client address (HTTP requests). */
  readonly ip?: string;
}

/** The audit actor of a principal acting from `ip`. */
export const actorOf = (p: Principal, ip?: string): AuditActor => ({ actor: p.actor, role: p.role, ...(ip ? { ip } : {}) });
