import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { errorMiddleware, unknownRoute } from './api-errors.ts';
import { type HttpServer, listen } from './http-server.ts';
import { webRoutes } from './web-routes.ts';

describe('webRoutes: the built console at /', () => {
  const dist = mkdtempSync(join(tmpdir(), 'gw-dist-'));
  let server: HttpServer;
  let bare: HttpServer;
  const app = (dir: string) => {
    const a = express();
    a.get('/api/known', (_req, res) => void res.json({ ok: true }));
    a.use(webRoutes(dir));
    a.use(unknownRoute);
    a.use(errorMiddleware(createLogger('web-test')));
    return a;
  };
  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), 'export {}');
    writeFileSync(join(dist, 'assets', 'index-abc.js.gz'), gzipSync('export {}'));
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    server = await listen(app(dist), '127.0.0.1', 0);
    bare = await listen(app(join(dist, 'missing')), '127.0.0.1', 0);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), bare?.close()]);
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached', async () => {
    for (const path of ['/', '/cases/abc', '/m']) {
      const r = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-cache');
      expect(await r.text()).toContain('<title>console</title>');
    }
  });
  it('serves hashed assets cached for good; a missing asset is a 404, not the page', async () => {
    const r = await fetch(`${server.url}/assets/index-abc.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    expect(r.headers.get('content-encoding')).toBe('gzip'); // the pre-compressed twin (fetch unzips it)
    expect(await r.text()).toBe('export {}');
    const plain = await fetch(`${server.url}/assets/index-abc.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await fetch(`${server.url}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/favicon.svg`)).status).toBe(200);
  });
  it('leaves API paths to the API: unknown ones stay JSON 404s', async () => {
    expect(await (await fetch(`${server.url}/api/known`)).json()).toEqual({ ok: true });
    const r = await fetch(`${server.url}/api/nope`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
  it('without a build, / says how to build it (503)', async () => {
    const r = await fetch(`${bare.url}/`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/scripts\/setup\.sh/);
  });
});
