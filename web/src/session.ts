import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, send } from './api.ts';

/** The signed-in user (GET /api/me). */
export interface User {
  readonly username: string;
  readonly displayName: string;
  readonly role: 'admin' | 'operator' | 'grid_worker' | 'engineer' | 'viewer';
  readonly grids: readonly string[];
  /** What the role may do (from the server; absent on older servers). */
  readonly permissions?: readonly string[];
}

/** What the app knows about who is using it. */
export type Session =
  | { readonly state: 'loading' }
  | { readonly state: 'signed-out' }
  | { readonly state: 'signed-in'; readonly user: User }
  /** The server has no sign-in (no /api/me): everything is open, as on a lab install. */
  | { readonly state: 'open' };

const listeners = new Set<(s: Session) => void>();
let session: Session = { state: 'loading' };
const set = (s: Session): void => {
  session = s;
  for (const l of listeners) l(s);
};

/** Asks the server who this is. */
export async function refreshSession(): Promise<void> {
  try {
    const me = await getJson<{ user: User }>('/api/me');
    set({ state: 'signed-in', user: me.user });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) set({ state: 'signed-out' });
    else if (err instanceof ApiError && err.status === 404) set({ state: 'open' });
    else set({ state: 'signed-out' });
  }
}

/** Signs in (POST /api/login sets the session cookie). Throws ApiError with the server's message. */
export async function login(username: string, password: string): Promise<void> {
  const r = await send<{ user: User }>('/api/login', { username, password });
  set({ state: 'signed-in', user: r.user });
}

/** Signs out. */
export async function logout(): Promise<void> {
  await send('/api/logout', {}).catch(() => undefined);
  set({ state: 'signed-out' });
}

/** The session; re-renders when it changes. */
export function useSession(): Session {
  const [s, setS] = useState(session);
  useEffect(() => {
    listeners.add(setS);
    if (session.state === 'loading') void refreshSession();
    return () => listeners.delete(setS);
  }, []);
  return s;
}

/** Who acts: the signed-in user, or on a server without sign-in the worker id typed in this browser. */
export function actor(s: Session): string {
  if (s.state === 'signed-in') return s.user.username;
  return localStorage.getItem('gw.worker') ?? '';
}

/**
 * The `by` field for case commands: only on a server without sign-in. With sign-in the server
 * takes the actor from the session and refuses a `by` in the body.
 */
export function byField(s: Session, who: string): { by?: string } {
  return s.state === 'open' ? { by: who } : {};
}

/** What a role may open (a hint for the navigation; the server enforces the same table). */
export type Capability = 'console' | 'control' | 'work' | 'manage' | 'accuracy';
const ROLE_CAPS: Record<User['role'], readonly Capability[]> = {
  admin: ['console', 'control', 'work', 'manage', 'accuracy'],
  operator: ['console', 'control', 'manage'],
  grid_worker: ['work'],
  engineer: ['console', 'accuracy'],
  viewer: ['console'],
};

/** The server permission behind each capability (grid workers use the phone app, not the console). */
const CAP_PERMISSION: Record<Exclude<Capability, 'console'>, string> = {
  control: 'patrol:control',
  work: 'cases:work',
  manage: 'cases:manage',
  accuracy: 'accuracy:read',
};

/** True when this session may use `cap` (a server without sign-in allows everything). */
export function may(s: Session, cap: Capability): boolean {
  if (s.state === 'open') return true;
  if (s.state !== 'signed-in') return false;
  const perms = s.user.permissions;
  if (!perms) return ROLE_CAPS[s.user.role].includes(cap);
  return cap === 'console' ? s.user.role !== 'grid_worker' && perms.includes('cameras:read') : perms.includes(CAP_PERMISSION[cap]);
}
