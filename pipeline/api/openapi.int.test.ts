import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedRoutes } from '../../test-fixtures/lib/express-routes.ts';
import { accuracyRoutes } from './accuracy-routes.ts';
import { allCases } from '../cases/all-cases.ts';
import { CaseStore } from '../cases/case-store.ts';
import { TEST_TYPES } from '../cases/case-test-fixtures.ts';
import { type TestRecord, openTestRecord } from '../cases/test-record.ts';
import { type LocalRedis, startLocalRedis } from '../distributed/local-redis.ts';
import { PatrolStore } from '../distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../distributed/redis-connection.ts';
import { GridworkerMetrics } from '../metrics.ts';
import { createApiApp } from './api-app.ts';
import { type TestAuth, testAuth } from './auth-test-kit.ts';
import { type HttpServer, listen } from './http-server.ts';


interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
}

describe('the OpenAPI document and the app serve the same routes', () => {
  let redis: LocalRedis;
  let conn: ReturnType<typeof createRedis>;
  let app: Express;
  let kit: TestAuth;
  let rec: TestRecord;
  let admin: string;
  let server: HttpServer;
  const storage = mkdtempSync(join(tmpdir(), 'gw-openapi-'));

  beforeAll(async () => {
    redis = await startLocalRedis();
    conn = createRedis(redis.url, 'producer');
    kit = await testAuth(conn);
    admin = await kit.bearer('admin');
    rec = await openTestRecord('postgres');
    const caseStore = new CaseStore(rec.handle.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });
    app = createApiApp(
      {
        store: new PatrolStore(conn, 'gwt'),
        cameras: () => [],
        storageDir: storage,
        cases: { store: caseStore, eventTypes: () => TEST_TYPES, evidenceDir: join(storage, 'evidence') },
        accuracy: accuracyRoutes({ allCases: () => allCases(caseStore) }, { timezone: 'UTC' }),
        auth: kit.auth,
      },
      new GridworkerMetrics().registry,
    );
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server?.close();
    await kit?.cleanup();
    await rec?.close();
    await closeRedis(conn);
    await redis?.close();
    rmSync(storage, { recursive: true, force: true });
  });

  const document = async (): Promise<OpenApiDoc> => (await (await fetch(`${server.url}/api/openapi.json`, { headers: { authorization: admin } })).json()) as OpenApiDoc;

  it('is OpenAPI 3.1 and documents every route the app serves', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    const served = servedRoutes(app);
    expect(served.length).toBeGreaterThan(10);
    // Every route is declared through ApiRoutes: a plain express handler would show up here.
    const undocumented = served.filter((r) => doc.paths[r.path]?.[r.method] === undefined).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(undocumented).toEqual([]);
    expect(doc.paths['/verify']?.get?.parameters?.map((p) => p.name)).toEqual(['grid', 'type', 'camera', 'unit', 'overdue', 'limit', 'cursor', 'order']);
  });

  it('every documented route exists (answers something other than the unknown-route 404)', async () => {
    const doc = await document();
    const served = new Set(servedRoutes(app).map((r) => `${r.method} ${r.path}`));
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        expect(served.has(`${method} ${path}`), `${method} ${path}`).toBe(true);
        const url = `${server.url}${path.replace(/\{[^}]+\}/g, 'x')}`;
        const res = await fetch(url, { method: method.toUpperCase(), headers: { authorization: admin, 'content-type': 'application/json' }, ...(method === 'get' ? {} : { body: '{}' }) });
        const text = await res.text();
        expect(text, `${method} ${path}`).not.toMatch(/no route for/);
      }
    }
  });

  it('documents the filters it validates (query parameters come from the same schemas)', async () => {
    const doc = await document();
    const params = doc.paths['/api/cameras']?.get?.parameters?.map((p) => p.name);
    expect(params).toEqual(['grid', 'health']);
    const bogus = await fetch(`${server.url}/api/cameras?health=bogus`, { headers: { authorization: admin } });
    expect(bogus.status).toBe(400);
    // An unknown filter is a 400 naming it on every route that takes a query, never silently ignored.
    for (const [path, key] of [['/api/cameras?cameraId=a', 'cameraId'], ['/api/cases?eventType=x', 'eventType'], ['/api/units/evaluation?unit=u', 'unit'], ['/api/wall/tiles?cameras=a&page=2', 'page'], ['/api/audit?since=1', 'since'], ['/api/accuracy?model=m', 'model'], ['/verify?status=closed', 'status'], ['/api/patrol/status?verbose=1', 'verbose'], ['/api/event-types?lang=zh', 'lang']] as const) {
      const r = await fetch(`${server.url}${path}`, { headers: { authorization: admin } });
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: { field: string } }).error.field, path).toBe(key);
    }
  });
});
