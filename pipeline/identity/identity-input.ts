/** Checks of what people type when creating users and tokens; each failure names the field. */
import { IdentityInputError } from './identity-errors.ts';
import { isRole, ROLES, type Role } from './roles.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const GRID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Names the pipeline itself writes into audit trails: nobody may log in as them. */
const RESERVED = new Set(['system', 'anonymous', 'admin-cli']);

/** Minimum password length. */
export const MIN_PASSWORD = 12;

/** A valid username (1-64 of letters, digits, ".", "_", "@", "-"; not a reserved name). */
export function checkUsername(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw new IdentityInputError(field, '1-64 of letters, digits, ".", "_", "@", "-", starting with a letter or digit');
  if (RESERVED.has(value.toLowerCase())) throw new IdentityInputError(field, `"${value}" is reserved`);
  return value;
}

/** A valid password: 12-256 characters. */
export function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD || value.length > 256) throw new IdentityInputError('password', `${MIN_PASSWORD}-256 characters`);
  return value;
}

/** A valid role. */
export function checkRole(value: unknown): Role {
  if (!isRole(value)) throw new IdentityInputError('role', `one of ${ROLES.join(', ')}`);
  return value;
}

/** Grid ids; a grid worker needs at least one. */
export function checkGrids(value: unknown, role: Role): string[] {
  if (!Array.isArray(value) || value.some((g) => typeof g !== 'string' || !GRID.test(g))) throw new IdentityInputError('grids', 'a list of grid ids');
  const grids = [...new Set(value as string[])];
  if (role === 'grid_worker' && grids.length === 0) throw new IdentityInputError('grids', 'a grid worker needs at least one grid');
  return grids;
}

/** A display name of at most 128 characters (default: the username). */
export function checkDisplayName(value: unknown, username: string): string {
  if (value === undefined || value === '') return username;
  if (typeof value !== 'string' || value.length > 128) throw new IdentityInputError('displayName', 'at most 128 characters');
  return value;
}
