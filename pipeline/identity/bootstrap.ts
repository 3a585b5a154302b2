import type { Accounts } from './accounts.ts';
import type { AuditActor } from './principal.ts';
import { ROLES, type Role } from './roles.ts';
import { randomPassword } from './secrets.ts';

/** The actor recorded for changes the process makes on its own at start. */
export const STARTUP_ACTOR: AuditActor = { actor: 'system' };

/** What start-up found or did about the first admin. */
export type AdminBootstrap =
  /** An enabled admin exists. */
  | { readonly state: 'ready' }
  /** None existed; one was created from GRIDWORKER_ADMIN_PASSWORD. */
  | { readonly state: 'created'; readonly username: string }
  /** None exists: the API refuses writes until one is created. */
  | { readonly state: 'missing'; readonly howTo: string };

/** How to create the first admin, for the start-up message and the 503 answers. */
export const CREATE_ADMIN_HOWTO =
  'no admin user exists: create one with `gridworker users add admin --role admin` (password read from stdin or GRIDWORKER_PASSWORD), ' +
  'or start with GRIDWORKER_ADMIN_PASSWORD set (at least 12 characters) to create user "admin"';

/**
 * Makes sure an admin exists: nothing to do when one does; else creates `admin` from
 * `env.GRIDWORKER_ADMIN_PASSWORD` when set; else reports how to create one. Never a default password.
 */
export async function bootstrapAdmin(accounts: Accounts, env: Readonly<Record<string, string | undefined>>): Promise<AdminBootstrap> {
  if (await accounts.hasAdmin()) return { state: 'ready' };
  const password = env.GRIDWORKER_ADMIN_PASSWORD;
  if (!password) return { state: 'missing', howTo: CREATE_ADMIN_HOWTO };
  await accounts.addUser({ username: 'admin', password, role: 'admin', displayName: 'Administrator' }, STARTUP_ACTOR);
  return { state: 'created', username: 'admin' };
}

/** A demo login printed at the start of the demo. */
export interface DemoLogin {
  readonly username: string;
  readonly role: Role;
  readonly password: string;
  readonly grids: readonly string[];
}

/**
 * The demo: one user per role (`demo-admin`, `demo-operator`, ...) with a fresh random password
 * each run (an existing demo user gets a new one). Grid workers get `grids`.
 */
export async function createDemoUsers(accounts: Accounts, grids: readonly string[]): Promise<DemoLogin[]> {
  const out: DemoLogin[] = [];
  const existing = new Set((await accounts.listUsers()).map((u) => u.username));
  for (const role of ROLES) {
    const username = `demo-${role.replace('_', '-')}`;
    const password = randomPassword();
    const g = role === 'grid_worker' ? grids.slice(0, 2) : [];
    if (existing.has(username)) {
      await accounts.grant(username, { role, grids: g }, STARTUP_ACTOR);
      await accounts.setPassword(username, password, STARTUP_ACTOR);
      await accounts.setDisabled(username, false, STARTUP_ACTOR);
    } else {
      await accounts.addUser({ username, password, role, grids: g, displayName: `Demo ${role}` }, STARTUP_ACTOR);
    }
    out.push({ username, role, password, grids: g });
  }
  return out;
}
