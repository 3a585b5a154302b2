/**
 * Cost of authentication per request on `GET /api/cases?limit=50`: the same app and store served
 * (a) with no authentication (apiRoutes behind a fixed principal: the rest of the stack identical),
 * (b) through the real app with a session cookie (one Redis GET + role check), and
 * (c) with a bearer token (one PostgreSQL row + SHA-256 + role check), and (a) again as a
 * control. Requests to the variants are interleaved in one run, so they share the machine's load;
 * the cost is a variant's mean latency over the baseline's, the median over rounds; the control
 * row shows how far two identical variants differ here. Prints a table and writes JSON. Target:
 * under 1.2x.
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
  /** Per variant: mean and quantiles of request latency, ms, and non-200 answers. */
  readonly mean: number[];
  readonly p50: number[];
  readonly p99: number[];
  readonly errors: number[];
}

/**
 * One round: `o.requests` requests per variant, interleaved request by request (request i goes
 * to variant i mod V) by `o.concurrency` loops, so every variant meets the same load at the same
 * moments (the machine is shared: load drifts within seconds).
 */
async function round(targets: readonly (readonly [string, Record<string, string>])[], o: Opts): Promise<Round> {
  const lat: number[][] = targets.map(() => []);
  const errors = targets.map(() => 0);
  const total = o.requests * targets.length;
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const v = i % targets.length;
        const [url, headers] = targets[v]!;
        const s = performance.now();
        const r = await fetch(url, { headers });
        await r.arrayBuffer();
        if (r.status !== 200) errors[v]!++;
        lat[v]!.push(performance.now() - s);
      }
    }),
  );
  return { mean: lat.map((l) => l.reduce((a, b) => a + b, 0) / l.length), p50: lat.map((l) => quantile(l, 0.5)), p99: lat.map((l) => quantile(l, 0.99)), errors };
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
    const targets = variants.map(([, base, headers]) => [`${base}${path}`, headers] as const);
    // Warm up (JIT, connection pools), then rounds; the cost of a variant is its mean latency over
    // the baseline's in the same round, and the table shows the median over rounds.
    await round(targets, { ...o, requests: Math.min(300, o.requests) });
    const rounds: Round[] = [];
    for (let r = 0; r < o.rounds; r++) rounds.push(await round(targets, o));
    const rows = variants.map(([name], i) => ({
      name,
      meanMs: median(rounds.map((x) => x.mean[i]!)),
      p50Ms: median(rounds.map((x) => x.p50[i]!)),
      p99Ms: median(rounds.map((x) => x.p99[i]!)),
      errors: rounds.reduce((a, x) => a + x.errors[i]!, 0),
      cost: median(rounds.map((x) => x.mean[i]! / x.mean[0]!)),
    }));
    const table = rows.map((r) => [r.name, r.meanMs.toFixed(2), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.errors, r.cost.toFixed(3)]);
    process.stdout.write(
      `GET ${path} (${o.concurrency} concurrent, ${o.requests} requests per variant x ${o.rounds} rounds, variants interleaved request by request; medians over rounds; 2 shared cores, client in the same process)\n` +
        `${formatTable(['variant', 'mean ms', 'p50 ms', 'p99 ms', 'errors', 'cost vs baseline'], table)}\n` +
        `target: cost under 1.2x -> session ${rows[1]!.cost.toFixed(3)}x, token ${rows[2]!.cost.toFixed(3)}x (identical runs differ by ${rows[3]!.cost.toFixed(3)}x)\n`,
    );
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(
      o.out,
      `${JSON.stringify({ route: `GET ${path}`, concurrency: o.concurrency, requests: o.requests, rounds: o.rounds, variants: rows, ratioSession: rows[1]!.cost, ratioToken: rows[2]!.cost, noiseFloor: rows[3]!.cost, target: 1.2 }, null, 2)}\n`,
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
