import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import express, { Router } from 'express';

/** Where `scripts/setup.sh` builds the console (Vite, from web/). */
export const WEB_DIST = join(import.meta.dirname, '..', '..', 'web', 'dist');

const GZIPPED: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Paths that belong to the API and are never the console's client routes. */
const SERVER_PATHS = /^\/(api|evidence|metrics|healthz|verify)(\/|$)/;

/**
 * The console (web/dist) at `/`: hashed assets under /assets cached for good, index.html never
 * cached, and index.html for any other GET that asks for HTML (client routes such as /cases/x).
 * When the build is missing, `/` answers 503 saying how to build it instead of a bare 404.
 */
export function webRoutes(dist: string = WEB_DIST): Router {
  const r = Router();
  const index = join(dist, 'index.html');
  // Pre-compressed twins (setup.sh writes <file>.gz beside each script and style sheet).
  // A middleware, not a route: static files are not API routes (the OpenAPI check lists routes).
  r.use('/assets', (req, res, next) => {
    const ext = extname(req.path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !GZIPPED[ext] || !req.acceptsEncodings('gzip')) return next();
    const gz = join(dist, 'assets', `${basename(req.path)}.gz`);
    if (!existsSync(gz)) return next();
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Content-Type', GZIPPED[ext]);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.sendFile(gz);
  });
  r.use('/assets', express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  r.use(express.static(dist, { index: false, maxAge: 0 }));
  r.get(/.*/, (req, res, next) => {
    if (SERVER_PATHS.test(req.path) || !req.accepts('html')) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The console is not built: run scripts/setup.sh (it builds web/ into web/dist).\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
