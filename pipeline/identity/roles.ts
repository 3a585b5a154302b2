/**
 * Roles and what each may do. Deny by default: a permission not listed for a role is refused.
 *
 * | role        | may                                                                          |
 * |-------------|------------------------------------------------------------------------------|
 * | admin       | everything: users, tokens, config reload, system audit                       |
 * | operator    | patrol control, visit-now, revisit targets, camera and case views, break claims |
 * | grid_worker | cases, cameras, frames and evidence of their own grids; claim/release/verdict/resolve |
 * | engineer    | read-only on everything, plus accuracy and the system audit                  |
 * | viewer      | read-only dashboards: patrol status, cameras, cases, metrics                 |
 */

/** A role of a user or a service token. */
export type Role = 'admin' | 'operator' | 'grid_worker' | 'engineer' | 'viewer';

/** Every role, most powerful first. */
export const ROLES: readonly Role[] = ['admin', 'operator', 'grid_worker', 'engineer', 'viewer'];

/** True when `value` names a role. */
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** One thing a request may need to be allowed to do. */
export type Permission =
  | 'self'
  | 'patrol:read'
  | 'patrol:control'
  | 'cameras:read'
  | 'cases:read'
  | 'cases:work'
  | 'cases:manage'
  | 'accuracy:read'
  | 'metrics:read'
  | 'audit:read'
  | 'users:manage'
  | 'tokens:manage'
  | 'config:reload';

const READ: readonly Permission[] = ['self', 'patrol:read', 'cameras:read', 'cases:read', 'metrics:read'];

/** The permission table: what each role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set<Permission>([...READ, 'patrol:control', 'cases:work', 'cases:manage', 'accuracy:read', 'audit:read', 'users:manage', 'tokens:manage', 'config:reload']),
  operator: new Set<Permission>([...READ, 'patrol:control', 'cases:manage']),
  grid_worker: new Set<Permission>(['self', 'patrol:read', 'cameras:read', 'cases:read', 'cases:work']),
  engineer: new Set<Permission>([...READ, 'accuracy:read', 'audit:read']),
  viewer: new Set<Permission>(READ),
};

/** True when `role` may do `permission`. */
export const can = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].has(permission);

/** True for roles that only see the grids assigned to them. */
export const isGridScoped = (role: Role): boolean => role === 'grid_worker';
