/**
 * How fast the API answers while a dependency is away (benchmark, not a test): starts its own
 * redis-server and PostgreSQL and the scheduler + API roles, times GET /api/cameras,
 * /api/patrol/status, /api/cases (with a token) and /readyz with everything up, with PostgreSQL
 * killed, and with PostgreSQL back and Redis killed. Goal: a plain 503 in under 100 ms.
 *
 *   npx tsx scripts/bench/redis-outage.ts [--requests 50] [--out bench-results/redis-outage.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { startOwnPostgres } from '../../test-fixtures/lib/own-postgres.ts';
import { freePort, startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { startGridworker } from '../../pipeline/gridworker-main.ts';
import { configureLogging } from '../../pipeline/log.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const PATHS = ['/api/cameras', '/api/patrol/status', '/api/cases', '/readyz'] as const;

async function timeRequests(base: string, path: string, n: number, authorization: string): Promise<{ ms: number[]; statuses: Record<string, number> }> {
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { authorization } });
    await res.arrayBuffer();
    ms.push(performance.now() - t);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  return { ms, statuses };
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--requests <n>', 'requests per path and phase', numberIn(5, 10_000, '--requests'), 50)
    .option('--out <file>', 'JSON results', join(root, 'bench-results', 'redis-outage.json'))
    .parse()
    .opts<{ requests: number; out: string }>();
  configureLogging({ file: join(tmpdir(), 'gridworker-redis-outage.log') });
  const dir = mkdtempSync(join(tmpdir(), 'gw-outage-'));
  const [redis, pgs] = await Promise.all([startLocalRedis(), freePort().then((port) => startOwnPostgres(port))]);
  writeFileSync(join(dir, 'c.yaml'), `cameras:\n  - { id: cam-1, name: C, url: "rtsp://127.0.0.1:1/x", areaType: street, grid: g1 }\nredis: { url: "${redis.url}", prefix: bench }\nstorage: { dir: data, minFreeMb: 0 }\n`);
  const running = await startGridworker({ config: await loadConfig(join(dir, 'c.yaml')), configDir: dir, roles: ['scheduler', 'api'], redisUrl: redis.url, apiPort: 0, databaseUrl: pgs.url });
  const token = `Bearer ${(await running.identity!.accounts.createToken({ name: 'bench', role: 'engineer' }, { actor: 'bench' })).token}`;
  const base = running.api!.url;
  const rows: (string | number)[][] = [];
  const results: Record<string, unknown> = {};
  try {
    await sleep(2000); // a leader publishes its status
    for (const phase of ['all up', 'postgres killed', 'redis killed'] as const) {
      if (phase === 'postgres killed') {
        await pgs.kill();
        await sleep(1500); // past the 1 s reuse of a token read
      }
      if (phase === 'redis killed') {
        await pgs.start();
        await redis.close();
        await sleep(300);
      }
      for (const path of PATHS) {
        const r = await timeRequests(base, path, opts.requests, token);
        results[`${phase} ${path}`] = { statuses: r.statuses, medianMs: median(r.ms), p95Ms: quantile(r.ms, 0.95), maxMs: Math.max(...r.ms) };
        rows.push([phase, path, JSON.stringify(r.statuses), median(r.ms).toFixed(1), quantile(r.ms, 0.95).toFixed(1), Math.max(...r.ms).toFixed(1)]);
      }
    }
  } finally {
    await running.close();
    await redis.close();
    await pgs.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${formatTable(['phase', 'path', 'statuses', 'median ms', 'p95 ms', 'max ms'], rows)}\n`);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ requests: opts.requests, results }, null, 2)}\n`);
}

await main();
