/**
 * For integration tests and the auth benchmark: a real API server over HTTP on a local Redis and a
 * scratch PostgreSQL database (identity and cases on one handle), with two grids (g1: cam-1, g2: cam-2), evidence on disk, latest
 * frames, a case store on a controllable clock, and helpers to log people in. Not used by the product.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { GridworkerMetrics } from '../metrics.ts';
import { allCases } from '../cases/all-cases.ts';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { writeEvidence } from '../cases/evidence.ts';
import { syncUnits } from '../cases/unit-directory.ts';
import { CaseChangeFeed } from '../cases/case-change-feed.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { PatrolStore } from '../distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import type { CaseRecord } from '../cases/case-model.ts';
import type { Role } from '../identity/roles.ts';
import { accuracyRoutes } from './accuracy-routes.ts';
import type { ApiCamera, ApiContext } from './api-context.ts';
import { createApiApp } from './api-app.ts';
import { type TestAuth, testAuth } from './auth-test-kit.ts';
import { type HttpServer, listen } from './http-server.ts';

/** The two cameras: cam-1 in grid g1, cam-2 in grid g2. */
export const TEST_CAMERAS: readonly ApiCamera[] = [
  { id: 'cam-1', name: 'School gate', areaType: 'school', grid: 'g1', priority: 'key', enabled: true, url: 'rtsp://***:***@10.0.0.5/live', zones: [] },
  { id: 'cam-2', name: 'Market street', areaType: 'market', grid: 'g2', priority: 'normal', enabled: true, url: 'rtsp://10.0.0.6/live', zones: [] },
];

/** A tiny valid JPEG (SOI, EOI). */
export const TINY_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

/** A running test API and what it stands on. */
export interface ApiTestServer {
  readonly server: HttpServer;
  readonly kit: TestAuth;
  readonly cases: CaseStore;
  readonly patrol: PatrolStore;
  readonly redis: Redis;
  /** What the API was built from (the auth benchmark builds a second app on it). */
  readonly ctx: ApiContext;
  readonly metrics: GridworkerMetrics;
  /** The clock of the authenticator and the case store (epoch ms); tests move it. */
  clock: number;
  /** Opens a fresh case on a camera (a new place each time), with an evidence file of its own. */
  openCase(cameraId: 'cam-1' | 'cam-2'): Promise<CaseRecord>;
  /** Adds a user with a random password. */
  addUser(username: string, role: Role, grids?: readonly string[]): Promise<{ username: string; password: string }>;
  /** Logs in over HTTP; the cookie header value (`gw_session=...`). */
  login(username: string, password: string): Promise<string>;
  /** Every password given out by addUser (for leak checks). */
  readonly passwords: string[];
  close(): Promise<void>;
}

/** Starts an ApiTestServer. `loginPerMinute` defaults to no practical limit. */
export async function startApiTestServer(options: { loginPerMinute?: number; lockAfterFailures?: number; withoutAdmin?: boolean } = {}): Promise<ApiTestServer> {
  const local: LocalRedis = await startLocalRedis();
  const redis = createRedis(local.url, 'producer');
  const dir = mkdtempSync(join(tmpdir(), 'gw-auth-'));
  const state = { clock: Date.now() };
  const now = (): number => state.clock;
  const kit = await testAuth(redis, { now, lockAfterFailures: options.lockAfterFailures ?? 5, lockMs: 15 * 60_000, loginPerMinute: options.loginPerMinute ?? 10_000, ...(options.withoutAdmin ? { withoutAdmin: true } : {}) });
  // The case store shares the identity's record handle: one database per process, as in the product.
  const cases = new CaseStore(kit.record.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id), now });
  // The units of the catalogue, as the product fills them at start (reassignment checks against them).
  await syncUnits(kit.record.db, TEST_TYPES, state.clock);
  // List pages are cached until a case changes, as in the product.
  const changes = (await CaseChangeFeed.open(kit.record)).follow(cases);
  const patrol = new PatrolStore(redis, 'gwt');
  mkdirSync(join(dir, 'latest'), { recursive: true });
  for (const c of TEST_CAMERAS) writeFileSync(join(dir, 'latest', `${c.id}.jpg`), TINY_JPEG);
  const metrics = new GridworkerMetrics();
  const ctx: ApiContext = {
      auth: kit.auth,
      store: patrol,
      cameras: () => TEST_CAMERAS,
      storageDir: dir,
      cases: { store: cases, eventTypes: () => TEST_TYPES, evidenceDir: dir, changes },
      accuracy: accuracyRoutes({ allCases: () => allCases(cases) }),
      reloadConfig: async () => ({ cameras: TEST_CAMERAS.length }),
  };
  const app = createApiApp(ctx, metrics.registry);
  const server = await listen(app, '127.0.0.1', 0);
  let n = 0;
  const passwords: string[] = [];
  const self: ApiTestServer = {
    server,
    kit,
    cases,
    patrol,
    redis,
    ctx,
    metrics,
    passwords,
    get clock() {
      return state.clock;
    },
    set clock(v: number) {
      state.clock = v;
    },
    async openCase(cameraId) {
      const i = ++n;
      const evidence = await writeEvidence(dir, Buffer.concat([TINY_JPEG, Buffer.from(`case ${i} ${randomBytes(4).toString('hex')}`)]), state.clock);
      const x = (i % 40) / 50;
      const grid = TEST_CAMERAS.find((c) => c.id === cameraId)!.grid;
      const ctx = { ...testContext('illegal_parking', evidence), camera: { grid, areaType: 'street' } };
      const r = await cases.openOrUpdate(testEvent({ cameraId, at: state.clock, place: [x, Math.floor(i / 40) / 50, x + 0.01, Math.floor(i / 40) / 50 + 0.01] }), ctx);
      return r.case;
    },
    async addUser(username, role, grids = []) {
      const password = `pw-${randomBytes(12).toString('base64url')}`;
      passwords.push(password);
      await kit.identity.accounts.addUser({ username, password, role, grids }, { actor: 'test-setup' });
      return { username, password };
    },
    async login(username, password) {
      const res = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    },
    async close() {
      await server.close();
      await changes.close();
      await kit.cleanup();
      await closeRedis(redis);
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
