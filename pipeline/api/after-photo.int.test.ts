import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES, testContext, testEvent } from '../cases/case-test-fixtures.ts';
import { type TestRecord, openTestRecord } from '../cases/test-record.ts';
import { PatrolStore } from '../distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { createApiApp } from './api-app.ts';
import { type TestAuth, testAuth } from './auth-test-kit.ts';
import { MAX_AFTER_PHOTO_BYTES } from './after-photo-routes.ts';
import { type HttpServer, listen } from './http-server.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('POST /api/cases/:id/after-photo on a real record and Redis', () => {
  const prefix = `gwphoto${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'gw-photo-'));
  let conn: ReturnType<typeof createRedis>;
  let server: HttpServer;
  let caseId: string;
  let kit: TestAuth;
  let rec: TestRecord;
  let worker = '';
  const post = (id: string, body: Buffer, type = 'image/jpeg', authorization = worker) =>
    fetch(`${server.url}/api/cases/${id}/after-photo`, { method: 'POST', headers: { 'content-type': type, authorization }, body });

  beforeAll(async () => {
    conn = createRedis(REDIS_URL, 'producer');
    rec = await openTestRecord('postgres');
    const store = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
    caseId = (await store.openOrUpdate(testEvent(), testContext())).case.id;
    kit = await testAuth(conn);
    worker = await kit.bearer('grid_worker', ['g1']);
    const app = createApiApp({ auth: kit.auth, store: new PatrolStore(conn, prefix), cameras: () => [], storageDir: dir, cases: { store, eventTypes: () => TEST_TYPES, evidenceDir: dir } });
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server?.close();
    await kit?.cleanup();
    await rec?.close();
    const keys = await conn.keys(`${prefix}:*`);
    if (keys.length) await conn.del(...keys);
    await closeRedis(conn);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a phone photo upright, shrunk and without its metadata, as evidence', async () => {
    // A 3000x2000 PNG with EXIF orientation 6 (rotated 90°): comes back a JPEG of 1280x1920.
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 200, g: 60, b: 60 } } })
      .withMetadata({ orientation: 6 })
      .png()
      .toBuffer();
    const res = await post(caseId, photo, 'image/png');
    expect(res.status).toBe(201);
    const { path } = (await res.json()) as { path: string };
    expect(path).toMatch(/^\d{4}-\d{2}-\d{2}\/[0-9a-f]{64}\.jpg$/);
    const stored = await fetch(`${server.url}/evidence/${path}`, { headers: { authorization: await kit.bearer('admin') } });
    const meta = await sharp(Buffer.from(await stored.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1280, height: 1920 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
  });

  it('needs a role that works on cases', async () => {
    const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    expect((await post(caseId, photo, 'image/jpeg', '')).status).toBe(401);
    expect((await post(caseId, photo, 'image/jpeg', await kit.bearer('viewer'))).status).toBe(403);
    // A grid worker of another grid: the case does not exist for them.
    expect((await post(caseId, photo, 'image/jpeg', await kit.bearer('grid_worker', ['g2']))).status).toBe(404);
  });

  it('refuses what is not a usable photo, naming why', async () => {
    const notImage = await post(caseId, Buffer.from('this is not a jpeg at all'));
    expect(notImage.status).toBe(400);
    expect(await notImage.json()).toMatchObject({ error: { code: 'BAD_IMAGE', field: 'body' } });
    const tooBig = await post(caseId, Buffer.alloc(MAX_AFTER_PHOTO_BYTES + 1));
    expect(tooBig.status).toBe(413);
    const empty = await post(caseId, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const unknown = await post(`${caseId.slice(0, -2)}zz`, Buffer.from([0xff, 0xd8]));
    expect(unknown.status).toBe(404);
  });
});
