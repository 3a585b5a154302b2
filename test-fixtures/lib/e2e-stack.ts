/**
 * The end-to-end patrol the pipeline tests share: fixture RTSP cameras showing scenes that open
 * cases (a bus parked in the road, a crowd at a school gate) or must not (an empty apron), a
 * redis-server of the test's own, the record, and every role of gridworker in the test's process.
 * Tests that kill a service (durability-kill) write the same config and run gridworker themselves.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../pipeline/db/scratch-database.ts';
import { type LocalRedis, startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { type Running, startGridworker } from '../../pipeline/gridworker-main.ts';
import type { Role } from '../../pipeline/identity/roles.ts';
import { type RtspTestServer, startRtspServer } from './rtsp-server.ts';

/** One camera of the e2e config: a fixture stream, where it is, and its zones (YAML flow text). */
export interface SceneCamera {
  readonly id: string;
  readonly name: string;
  /** Mount path of the fixture RTSP server. */
  readonly stream: string;
  readonly areaType: string;
  readonly grid: string;
  readonly zones: string;
}

/** A bus standing in the carriageway (a no-parking zone): illegal parking once it stays 4 s. `stream` street-cars shows the road without it. */
export const busStop = (stream = 'street-bus'): SceneCamera => ({
  id: 'bus-stop',
  name: 'Bus stop',
  stream,
  areaType: 'transport_hub',
  grid: 'g1',
  zones: '[{ name: road, kind: no_parking, points: [[0, 0.72], [1, 0.64], [1, 1], [0, 1]] }]',
});

/** A crowd at a school gate: crowd gathering (4 people, k of n frames within a visit). */
export const schoolGate = (): SceneCamera => ({
  id: 'school',
  name: 'School gate',
  stream: 'crowd',
  areaType: 'school',
  grid: 'g1',
  zones: '[{ name: gate, kind: crowd_watch, points: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]',
});

/** An airfield road with a no-parking zone and no car in it: must open nothing. */
export const airfield = (): SceneCamera => ({
  id: 'airfield',
  name: 'Airfield road',
  stream: 'street-cars',
  areaType: 'street',
  grid: 'g2',
  zones: '[{ name: apron, kind: no_parking, points: [[0, 0.6], [1, 0.6], [1, 1], [0, 1]] }]',
});

/** The config text: key cameras revisited every 5 s, 3 frames 200 ms apart, parking after 4 s, a crowd from 4 people. */
export function e2eConfigText(o: { readonly rtsp: RtspTestServer; readonly cameras: readonly SceneCamera[]; readonly redisUrl: string; readonly prefix: string; readonly storageDir: string }): string {
  return [
    'cameras:',
    ...o.cameras.flatMap((c) => [
      `  - id: ${c.id}\n    name: ${c.name}\n    url: "${o.rtsp.url(c.stream)}"\n    areaType: ${c.areaType}\n    grid: ${c.grid}\n    priority: key`,
      `    zones: ${c.zones}`,
    ]),
    'patrol:',
    '  revisitTargets: { key: 5, normal: 30, low: 60 }',
    '  dwell: { frames: 3, spacingMs: 200 }',
    'events:',
    '  rules:',
    '    - { id: illegal_parking, persistence: { kind: visits, minDurationS: 4, minIou: 0.5, maxGapS: 120 } }',
    '    - { id: crowd_gathering, minCount: 4 }',
    `redis: { url: "${o.redisUrl}", prefix: ${o.prefix} }`,
    'api: { host: 127.0.0.1, port: 0 }',
    `storage: { dir: "${o.storageDir}" }`,
  ].join('\n');
}

/** Options of {@link startE2eStack}. */
export interface E2eStackOptions {
  /** Redis key prefix of this test. */
  readonly prefix: string;
  readonly cameras: readonly SceneCamera[];
  /** `scratch`: a scratch database on the test PostgreSQL server; `embedded`: PGlite in the storage folder (the npm start default). */
  readonly record: 'scratch' | 'embedded';
}

/** A running stack; `close()` stops gridworker, the servers and removes its folder. */
export interface E2eStack {
  readonly rtsp: RtspTestServer;
  readonly redis: LocalRedis;
  /** The scratch database (record `scratch`). */
  readonly scratch?: ScratchDatabase;
  readonly running: Running;
  /** Base URL of the API. */
  readonly api: string;
  /** A fresh service token's `Authorization` value; grid workers get grids g1 and g2. */
  bearer(name: string, role: Role): Promise<string>;
  /** Rewrites the config with these cameras and applies it without a restart (a camera whose scene changes). */
  reconfigure(cameras: readonly SceneCamera[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts the fixture cameras, Redis, the record and every role of gridworker. */
export async function startE2eStack(o: E2eStackOptions): Promise<E2eStack> {
  const dir = mkdtempSync(join(tmpdir(), `gw-${o.prefix}-`));
  const [rtsp, redis, scratch] = await Promise.all([startRtspServer(), startLocalRedis(), o.record === 'scratch' ? createScratchDatabase(undefined, o.prefix) : undefined]);
  const configPath = join(dir, 'config.yaml');
  const write = (cameras: readonly SceneCamera[]): void => writeFileSync(configPath, e2eConfigText({ rtsp, cameras, redisUrl: redis.url, prefix: o.prefix, storageDir: join(dir, 'data') }));
  write(o.cameras);
  let running: Running | undefined;
  const close = async (): Promise<void> => {
    await running?.close();
    await Promise.all([rtsp.close(), redis.close(), scratch?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    running = await startGridworker({
      config: await loadConfig(configPath),
      configDir: dir,
      roles: ['scheduler', 'worker', 'api'],
      redisUrl: redis.url,
      ...(scratch ? { databaseUrl: scratch.url } : {}),
      env: { GRIDWORKER_ADMIN_PASSWORD: `e2e-${Date.now()}-admin-pw` },
    });
  } catch (err) {
    await close();
    throw err;
  }
  const live = running;
  return {
    rtsp,
    redis,
    ...(scratch ? { scratch } : {}),
    running: live,
    api: live.api!.url,
    async bearer(name, role) {
      const t = await live.identity!.accounts.createToken({ name, role, grids: role === 'grid_worker' ? ['g1', 'g2'] : [] }, { actor: 'e2e-test' });
      return `Bearer ${t.token}`;
    },
    async reconfigure(cameras) {
      write(cameras);
      await live.reload(await loadConfig(configPath));
    },
    close,
  };
}
