/**
 * Cost of authentication per request on `GET /api/cases?limit=50`: the same app and store served
 * (a) with no authentication (apiRoutes behind a fixed principal: the rest of the stack identical),
 * (b) through the real app with a session cookie (one Redis GET + role check), and
 * (c) with a bearer token (one PostgreSQL row + SHA-256 + role check). Rounds alternate the
 * variants in one run on one machine; the ratio is the median round's requests/s of (a) over
 * (b) and (c). Prints a table and writes JSON. Target: under 1.2x.
 *
 *   npx tsx scripts/bench/auth-overhead.ts [--requests 2000] [--concurrency 8] [--rounds 5] [--out bench-results/auth-overhead.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import express from 'express';
import helmet from 'helmet';
import { startApiTestServer } from '../../pipeline/api/api-test-server.ts';
import { apiRoutes, SECURITY_HEADERS } from '../../pipeline/api/api-app.ts';
import { errorMiddleware, unknownRoute } from '../../pipeline/api/api-errors.ts';
import { listen } from '../../pipeline/api/http-server.ts';
import type { Principal } from '../../pipeline/identity/principal.ts';
import { createLogger } from '../../pipeline/log.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

interface Opts {
  requests: number;
  concurrency: number;
  rounds: number;
  out: string;
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, o: Opts): Promise<Round> {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next++ < o.requests) {
        const s = performance.now();
        const r = await fetch(url, { headers });
        await r.arrayBuffer();
        if (r.status !== 200) errors++;
        lat.push(performance.now() - s);
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  return { rps: o.requests / wall, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), errors };
}

async function main(o: Opts): Promise<void> {
  const t = await startApiTestServer();
  try {
    for (let i = 0; i < 120; i++) await t.openCase(i % 3 === 0 ? 'cam-2' : 'cam-1');
    // (a) the very same app minus authentication: headers, every router, the same store; a fixed principal.
    const admin: Principal = { kind: 'session', name: 'bench', actor: 'bench', displayName: 'bench', role: 'admin', grids: [] };
    const bare = express();
    bare.disable('x-powered-by');
    bare.use(helmet(SECURITY_HEADERS));
    bare.use((_req, res, next) => {
      (res.locals as { principal?: Principal }).principal = admin;
      next();
    });
    bare.use(apiRoutes(t.ctx, t.metrics.registry));
    bare.use(unknownRoute);
    bare.use(errorMiddleware(createLogger('bench')));
    const baseline = await listen(bare, '127.0.0.1', 0);
    const u = await t.addUser('bench-admin', 'admin');
    const cookie = await t.login(u.username, u.password);
    const bearer = await t.kit.bearer('admin');
    const path = '/api/cases?limit=50';
    const variants: [string, string, Record<string, string>][] = [
      ['no authentication (baseline)', baseline.url, {}],
      ['session cookie (Redis)', t.server.url, { cookie }],
      ['bearer token (PostgreSQL)', t.server.url, { authorization: bearer }],
      // The baseline again, last in each round: how far two identical runs differ here (noise floor).
      ['no authentication again (noise floor)', baseline.url, {}],
    ];
    // Warm up every variant (JIT, connection pools), then alternate rounds.
    for (const [, base, headers] of variants) await load(`${base}${path}`, headers, { ...o, requests: Math.min(300, o.requests) });
    const rounds: Round[][] = variants.map(() => []);
    for (let r = 0; r < o.rounds; r++) {
      for (const [i, [, base, headers]] of variants.entries()) rounds[i]!.push(await load(`${base}${path}`, headers, o));
    }
    const rows = variants.map(([name], i) => {
      const rs = rounds[i]!;
      return { name, rps: median(rs.map((x) => x.rps)), p50Ms: median(rs.map((x) => x.p50)), p99Ms: median(rs.map((x) => x.p99)), errors: rs.reduce((a, x) => a + x.errors, 0) };
    });
    const base = rows[0]!.rps;
    const table = rows.map((r) => [r.name, Math.round(r.rps), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.errors, (base / r.rps).toFixed(3)]);
    process.stdout.write(
      `GET ${path} (${o.concurrency} concurrent, ${o.requests} requests x ${o.rounds} alternating rounds, medians; 2 shared cores, client in the same process)\n` +
        `${formatTable(['variant', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'cost vs baseline'], table)}\n` +
        `target: cost under 1.2x -> session ${(base / rows[1]!.rps).toFixed(3)}x, token ${(base / rows[2]!.rps).toFixed(3)}x (identical runs differ by ${(base / rows[3]!.rps).toFixed(3)}x)\n`,
    );
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(
      o.out,
      `${JSON.stringify({ route: `GET ${path}`, concurrency: o.concurrency, requests: o.requests, rounds: o.rounds, variants: rows, ratioSession: base / rows[1]!.rps, ratioToken: base / rows[2]!.rps, noiseFloor: base / rows[3]!.rps, target: 1.2 }, null, 2)}\n`,
    );
    await baseline.close();
  } finally {
    await t.close();
  }
}

const program = new Command('auth-overhead')
  .option('--requests <n>', 'requests per round per variant', numberIn(100, 1_000_000, '--requests'), 2000)
  .option('--concurrency <n>', 'requests in flight', numberIn(1, 256, '--concurrency'), 8)
  .option('--rounds <n>', 'alternating rounds', numberIn(1, 50, '--rounds'), 5)
  .option('--out <file>', 'JSON results', 'bench-results/auth-overhead.json')
  .action(async (o: Opts) => {
    await main(o);
  });
await program.parseAsync(process.argv);
