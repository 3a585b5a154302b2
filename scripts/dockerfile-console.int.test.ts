import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readStage, replayStage } from '../test-fixtures/lib/dockerfile-stage.ts';

const REPO = join(import.meta.dirname, '..');
const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

// docker build needs a daemon (and the registry); this replays the image's console stage itself:
// only the files that stage copies, its ENV, its RUN lines. What it cannot do offline is `npm ci`:
// the installed node_modules of the same package-lock.json is linked in its place.
describe('the Dockerfile console stage, replayed without docker', () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-docker-console-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('builds web/dist from the files it copies, with every asset and its gzip twin, where the image copies it from', () => {
    const stage = readStage(DOCKERFILE, 'console');
    const runs = stage.steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    // The stage runs the one build script setup.sh runs too (so testing one tests both).
    expect(runs).toContain('bash scripts/build-web.sh');
    expect(readFileSync(join(REPO, 'scripts', 'setup.sh'), 'utf8')).toContain('bash scripts/build-web.sh');
    let linked = 0;
    const workdir = replayStage(stage, {
      context: REPO,
      root,
      replace: (run) => /^npm ci\b/.test(run),
      instead: (_run, dir) => {
        symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
        linked++;
      },
    });
    expect(linked).toBe(1);
    const dist = join(workdir, 'web', 'dist');
    const index = readFileSync(join(dist, 'index.html'), 'utf8');
    // No inline script: the API's CSP allows scripts from 'self' only.
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const assets = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const a of assets) {
      const file = readFileSync(join(dist, a));
      expect(gunzipSync(readFileSync(join(dist, `${a}.gz`))).equals(file), `${a}.gz holds ${a}`).toBe(true);
    }
    // The image's final stage takes the console from exactly there.
    const stageDir = `/${workdir.slice(root.length).replace(/^\/+/, '')}`;
    expect(DOCKERFILE).toContain(`COPY --from=console ${join(stageDir, 'web', 'dist')} ./web/dist`);
    // Built from the copied sources, not the repository's own web/dist.
    expect(existsSync(join(workdir, 'web', 'src', 'main.tsx'))).toBe(true);
    expect(dist.startsWith(root)).toBe(true);
  }, 180_000);

  it('refuses what it cannot replay, naming the line', () => {
    expect(() => readStage('FROM node:20 AS console\nUSER node\n', 'console')).toThrow(/line 2: USER is not replayed/);
    expect(() => readStage('FROM node:20 AS web\n', 'console')).toThrow(/no stage "console"/);
    const stage = readStage('FROM node:20 AS console\nWORKDIR /app\nCOPY no-such-file ./\n', 'console');
    expect(() => replayStage(stage, { context: REPO, root: join(root, 'bad') })).toThrow(/line 3: COPY no-such-file: not in the build context/);
    const ignored = readStage('FROM node:20 AS console\nWORKDIR /app\nCOPY node_modules ./node_modules\n', 'console');
    expect(() => replayStage(ignored, { context: REPO, root: join(root, 'ignored') })).toThrow(/excluded by .dockerignore/);
    const failing = readStage('FROM node:20 AS console\nWORKDIR /app\nRUN echo building && \\\n  false\n', 'console');
    expect(() => replayStage(failing, { context: REPO, root: join(root, 'failing') })).toThrow(/line 3: RUN echo building && false failed/);
  });
});
