import type { ApiRoutes } from './api-routes.ts';
import type { CaseChanges } from '../cases/case-change-feed.ts';
import type { CaseStore } from '../cases/case-store.ts';
import type { PatrolStore } from '../distributed/patrol-store.ts';
import type { EventTypeDef } from '../events/event-model.ts';
import type { Accounts } from '../identity/accounts.ts';
import type { Authenticator } from '../identity/authenticator.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { ReadinessCheck } from './readiness.ts';

/** A camera as the API shows it: never with credentials. */
export interface ApiCamera {
  readonly id: string;
  readonly name: string;
  readonly areaType: string;
  readonly grid: string;
  readonly priority: string;
  readonly enabled: boolean;
  /** Stream URL with credentials masked. */
  readonly url: string;
  /** Where the camera is on the district map (config `location`), when given. */
  readonly location?: { readonly x: number; readonly y: number };
  readonly zones: readonly { readonly name: string; readonly kind?: string | undefined; readonly points: readonly (readonly number[])[] }[];
}

/** What the HTTP handlers read and act on. They observe and command; they never run a stage. */
export interface ApiContext {
  readonly store: PatrolStore;
  /** Current camera list (a function: the config can be reloaded). */
  readonly cameras: () => readonly ApiCamera[];
  /** Folder holding `latest/<cameraId>.jpg` and evidence files. */
  readonly storageDir: string;
  /** Case verification (/api/cases, /evidence, /verify); absent = those routes are not mounted. */
  readonly cases?: CaseApiContext;
  /** The accuracy report routes (GET /api/accuracy); absent = not mounted. */
  readonly accuracy?: ApiRoutes;
  /**
   * True while the API's Redis connection is up. When it returns false every /api call answers a
   * plain 503 at once instead of waiting on a dead connection. Absent = no gate.
   */
  readonly redisReady?: () => boolean;
  /** The parts /readyz checks (Redis, cases, storage, model, leader). Absent = /readyz checks nothing. */
  readonly readiness?: () => readonly ReadinessCheck[];
  /** The live feed router (GET /api/live, Server-Sent Events); absent = not mounted. */
  readonly live?: ApiRoutes;
  /** Who may do what: every request but the public ones needs a session or a token. */
  readonly auth: AuthApiContext;
  /** Re-reads the config file and applies it (POST /api/config/reload); absent = 503. */
  readonly reloadConfig?: () => Promise<{ readonly cameras: number }>;
}

/** What authentication and the identity routes need. */
export interface AuthApiContext {
  readonly authenticator: Authenticator;
  readonly accounts: Accounts;
  /** The identity store (system audit). */
  readonly store: IdentityStore;
  /** False while no enabled admin exists: writes are refused (503 SETUP_REQUIRED). */
  readonly adminReady: () => Promise<boolean>;
  /** Origins besides the server's own allowed to send cookie-authenticated writes (a reverse proxy's public origin). */
  readonly trustedOrigins?: readonly string[];
  /** Login attempts allowed per client address per minute. Default 10. */
  readonly loginPerMinute?: number;
}

/** What the case verification routes read and act on. */
export interface CaseApiContext {
  readonly store: CaseStore;
  /** The event type catalogue (names for the page, known types for `correctType`). */
  readonly eventTypes: () => readonly EventTypeDef[];
  /** Evidence folder: `<yyyy-mm-dd>/<sha256>.jpg` files served at /evidence/<path>. */
  readonly evidenceDir: string;
  /** Case changes as they happen: with it, rendered list pages are kept until a case changes; absent = every list is a query. */
  readonly changes?: CaseChanges;
}
