/**
 * The explicit per-route permission table. Deny by default: a request that matches no line here
 * is answered 404 before any handler runs, so a route added without a line cannot be reached.
 * `public` lines need no identity; every other line needs one of its permissions (any of them).
 * `page` lines are HTML pages: without a session they redirect to /login instead of a 401.
 */
import type { Permission } from '../identity/roles.ts';

/** One line of the table. */
export interface RouteRule {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-like path: `:name` matches one segment, a trailing `*` the rest. */
  readonly path: string;
  readonly allow: 'public' | readonly Permission[];
  readonly page?: boolean;
}

/** Every route of the HTTP API and what it needs. */
export const ROUTE_RULES: readonly RouteRule[] = [
  { method: 'GET', path: '/healthz', allow: 'public' },
  { method: 'GET', path: '/readyz', allow: 'public' },
  { method: 'GET', path: '/login', allow: 'public', page: true },
  { method: 'GET', path: '/login/login.js', allow: 'public' },
  { method: 'POST', path: '/api/login', allow: 'public' },
  // The console (issue 10): built files that show their own login view; its data comes from the API.
  { method: 'GET', path: '/', allow: 'public' },
  { method: 'GET', path: '/assets/*', allow: 'public' },
  { method: 'GET', path: '/favicon.ico', allow: 'public' },
  { method: 'GET', path: '/favicon.svg', allow: 'public' },
  // The console's client routes: the same index.html as `/` (its data needs a login, the shell not).
  ...['/wall', '/live', '/cases', '/cases/:id', '/cameras', '/cameras/:id', '/patrol', '/accuracy', '/map', '/m'].map((path) => ({ method: 'GET' as const, path, allow: 'public' as const })),

  { method: 'POST', path: '/api/logout', allow: ['self'] },
  { method: 'GET', path: '/api/me', allow: ['self'] },
  { method: 'GET', path: '/metrics', allow: ['metrics:read'] },
  // The API's own description: any signed-in identity (it holds no data).
  { method: 'GET', path: '/api/openapi.json', allow: ['self'] },

  { method: 'GET', path: '/api/patrol/status', allow: ['patrol:read'] },
  { method: 'POST', path: '/api/patrol/start', allow: ['patrol:control'] },
  { method: 'POST', path: '/api/patrol/pause', allow: ['patrol:control'] },
  { method: 'POST', path: '/api/patrol/resume', allow: ['patrol:control'] },
  { method: 'POST', path: '/api/patrol/stop', allow: ['patrol:control'] },
  { method: 'POST', path: '/api/patrol/visit-now', allow: ['patrol:control'] },
  { method: 'PUT', path: '/api/patrol/targets', allow: ['patrol:control'] },
  { method: 'POST', path: '/api/config/reload', allow: ['config:reload'] },

  { method: 'GET', path: '/api/cameras', allow: ['cameras:read'] },
  { method: 'GET', path: '/api/wall/groups', allow: ['cameras:read'] },
  { method: 'GET', path: '/api/wall/tiles', allow: ['cameras:read'] },
  { method: 'GET', path: '/api/live', allow: ['cases:read'] },
  { method: 'GET', path: '/api/event-types', allow: ['self'] },
  { method: 'GET', path: '/api/cameras/:id', allow: ['cameras:read'] },
  { method: 'GET', path: '/api/cameras/:id/visits', allow: ['cameras:read'] },
  { method: 'GET', path: '/api/cameras/:id/latest.jpg', allow: ['cameras:read'] },

  { method: 'GET', path: '/api/cases', allow: ['cases:read'] },
  { method: 'GET', path: '/api/cases/:id', allow: ['cases:read'] },
  { method: 'GET', path: '/api/cases/:id/audit', allow: ['cases:read'] },
  { method: 'POST', path: '/api/cases/:id/claim', allow: ['cases:work'] },
  { method: 'POST', path: '/api/cases/:id/release', allow: ['cases:work', 'cases:manage'] },
  { method: 'POST', path: '/api/cases/:id/verdict', allow: ['cases:work'] },
  { method: 'POST', path: '/api/cases/:id/break-claim', allow: ['cases:manage'] },
  { method: 'POST', path: '/api/cases/:id/handle', allow: ['cases:work'] },
  { method: 'POST', path: '/api/cases/:id/resolve', allow: ['cases:work'] },
  { method: 'POST', path: '/api/cases/:id/escalate', allow: ['cases:manage'] },
  { method: 'POST', path: '/api/cases/:id/reassign', allow: ['cases:manage'] },
  { method: 'POST', path: '/api/cases/:id/close', allow: ['cases:manage'] },
  { method: 'GET', path: '/api/units', allow: ['units:read'] },
  { method: 'GET', path: '/api/units/evaluation', allow: ['units:read'] },
  { method: 'POST', path: '/api/cases/:id/after-photo', allow: ['cases:work'] },
  { method: 'GET', path: '/evidence/*', allow: ['cases:read'] },
  { method: 'GET', path: '/verify', allow: ['cases:read'], page: true },
  { method: 'GET', path: '/verify/verify.js', allow: 'public' },

  { method: 'GET', path: '/api/accuracy', allow: ['accuracy:read'] },
  { method: 'GET', path: '/api/audit', allow: ['audit:read'] },
  { method: 'GET', path: '/api/users', allow: ['users:manage'] },
  { method: 'POST', path: '/api/users', allow: ['users:manage'] },
  { method: 'PATCH', path: '/api/users/:username', allow: ['users:manage'] },
  { method: 'GET', path: '/api/tokens', allow: ['tokens:manage'] },
  { method: 'POST', path: '/api/tokens', allow: ['tokens:manage'] },
  { method: 'DELETE', path: '/api/tokens/:id', allow: ['tokens:manage'] },
];

const escape = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function compile(path: string): RegExp {
  const body = path
    .split('/')
    .map((seg) => (seg === '*' ? '.+' : seg.startsWith(':') ? '[^/]+' : escape(seg)))
    .join('/');
  // A trailing slash is the same route (express's default, non-strict routing).
  return new RegExp(`^${body}/?$`);
}

const COMPILED = ROUTE_RULES.map((rule) => ({ rule, re: compile(rule.path) }));

/** The rule for a request, or undefined (deny). HEAD is treated as GET. */
export function findRule(method: string, path: string): RouteRule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return COMPILED.find(({ rule, re }) => rule.method === m && re.test(path))?.rule;
}
