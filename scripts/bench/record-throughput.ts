/**
 * The record's benchmark (not a test), on the real PostgreSQL (a scratch database on the test
 * server, dropped after), each part with a baseline measured in the same run:
 *
 * 1. Case intake: new cases/s through CaseStore.openOrUpdate (the group read with its open count,
 *    then case + audit + sighting + evidence + outbox rows in one statement guarded by that count,
 *    the change announced after the commit), evidence already rendered, at --concurrency filers on
 *    distinct cameras. Baseline: single-row inserts/s at the same
 *    concurrency. Target >= 500 cases/s.
 * 2. Outbox relay: jobs/s from unsent outbox rows into the BullMQ dispatch queue on a real Redis
 *    (claim, addBulk, mark sent, mark dispatched). Baseline: Queue.addBulk of the same payloads.
 * 3. GET /api/cases?status=pending with --cases cases in the record, autocannon at --connections,
 *    p50 / p99 and req/s, against a trivial express route in the same app and run. Target: within 3x
 *    (issue 9), ideally at least half the trivial route's req/s (issue 12). Measured three ways:
 *    as the product serves it (pages kept until a case changes, case-page-cache.ts), every request
 *    a query (the JSON text PostgreSQL builds, no cache), and GET /api/me (authentication alone,
 *    what every API request pays before its handler: a token lookup in the record).
 *
 *   npx tsx scripts/bench/record-throughput.ts [--intake 2000] [--relay 5000] [--cases 100000] [--connections 32] [--seconds 10]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Command } from 'commander';
import express from 'express';
import { sql } from 'kysely';
import { createApiApp } from '../../pipeline/api/api-app.ts';
import { testAuth } from '../../pipeline/api/auth-test-kit.ts';
import { listen } from '../../pipeline/api/http-server.ts';
import { rebuildApiJson } from '../../pipeline/cases/case-api-json.ts';
import { CaseChangeFeed } from '../../pipeline/cases/case-change-feed.ts';
import { CaseStore } from '../../pipeline/cases/case-store.ts';
import { EVIDENCE_A, TEST_TYPES, testContext, testEvent } from '../../pipeline/cases/case-test-fixtures.ts';
import { openDatabase } from '../../pipeline/db/open-database.ts';
import { createScratchDatabase } from '../../pipeline/db/scratch-database.ts';
import { OutboxRelay } from '../../pipeline/dispatch/outbox-relay.ts';
import { startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { PatrolStore } from '../../pipeline/distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('record-throughput')
  .option('--intake <n>', 'cases opened in the intake part', numberIn(50, 1_000_000, '--intake'), 2000)
  .option('--relay <n>', 'outbox rows relayed', numberIn(50, 1_000_000, '--relay'), 5000)
  .option('--cases <n>', 'cases in the record for the list part', numberIn(1000, 10_000_000, '--cases'), 100_000)
  .option('--concurrency <n>', 'parallel filers in the intake part', numberIn(1, 256, '--concurrency'), 8)
  .option('--connections <n>', 'HTTP connections (autocannon)', numberIn(1, 1000, '--connections'), 32)
  .option('--seconds <n>', 'duration of each HTTP run', numberIn(1, 600, '--seconds'), 10)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'record-throughput.json'))
  .parse();
const opts = program.opts<{ intake: number; relay: number; cases: number; concurrency: number; connections: number; seconds: number; out: string }>();

const scratch = await createScratchDatabase(undefined, 'bench');
const rec = await openDatabase({ url: scratch.url, poolSize: Math.max(opts.concurrency, opts.connections) + 2 });
const redis = await startLocalRedis();
const conn = createRedis(redis.url, 'producer');
const eventType = (id: string) => TEST_TYPES.find((t) => t.id === id);
const store = new CaseStore(rec.db, { eventType });
const pool = async (n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
};
const perS = (n: number, ms: number) => Math.round(n / (ms / 1000));

try {
  // 1. Intake.
  await sql`create table bench_baseline (id bigserial primary key, camera text not null, at bigint not null, payload jsonb not null)`.execute(rec.db);
  let t = performance.now();
  await pool(opts.intake, opts.concurrency, (i) => sql`insert into bench_baseline (camera, at, payload) values (${`cam-${i}`}, ${i}, ${JSON.stringify({ i })})`.execute(rec.db));
  const baselineInsertPerS = perS(opts.intake, performance.now() - t);
  t = performance.now();
  await pool(opts.intake, opts.concurrency, (i) => store.openOrUpdate(testEvent({ cameraId: `cam-${i}`, at: 1_700_000_000_000 + i }), testContext('illegal_parking', EVIDENCE_A)));
  const intakePerS = perS(opts.intake, performance.now() - t);
  // Repeat sightings of the same cases (updates, no render).
  t = performance.now();
  await pool(opts.intake, opts.concurrency, (i) => store.openOrUpdate(testEvent({ cameraId: `cam-${i}`, at: 1_700_000_100_000 + i }), { ...testContext(), evidence: undefined }));
  const updatePerS = perS(opts.intake, performance.now() - t);

  // 2. Outbox relay: intake left opts.intake unsent rows; top up to opts.relay.
  for (let i = opts.intake; i < opts.relay; i += 500) {
    const rows = Array.from({ length: Math.min(500, opts.relay - i) }, (_, k) => i + k);
    await pool(rows.length, opts.concurrency, (k) => store.openOrUpdate(testEvent({ cameraId: `cam-r${rows[k]}` }), testContext('illegal_parking', EVIDENCE_A)));
  }
  const payloads = (await rec.db.selectFrom('outbox').select(['job_id', 'payload']).where('sent_at', 'is', null).orderBy('id').execute());
  const baseQueue = new Queue('bench-baseline', { connection: conn });
  t = performance.now();
  for (let i = 0; i < payloads.length; i += 200) {
    await baseQueue.addBulk(payloads.slice(i, i + 200).map((p) => ({ name: 'x', data: p.payload as object, opts: { jobId: `b-${p.job_id}` } })));
  }
  const addBulkPerS = perS(payloads.length, performance.now() - t);
  await baseQueue.close();
  const relay = new OutboxRelay({ db: rec.db, redisUrl: redis.url, prefix: 'bench', batch: 200, onDispatched: (ids, at) => store.markDispatchedMany(ids, at) });
  t = performance.now();
  let relayed = 0;
  for (;;) {
    const r = await relay.relayOnce();
    relayed += r.sent;
    if (r.sent === 0) break;
  }
  const relayPerS = perS(relayed, performance.now() - t);
  await relay.close();

  // 3. The case list with opts.cases cases: seed in SQL (one statement), 20 % pending.
  await sql`
    insert into cases (id, version, event_type, category, severity, camera_id, grid, area_type, zone, status, active, pending,
      opened_at, first_seen_at, last_seen_at, sighting_count, confidence, boxes, place, model, rule_id, responsible_unit,
      deadline_at, reopen_count, evidence, api_json)
    select 'c_' || lpad(to_hex(1000000 + g), 9, '0') || '_' || lpad(to_hex(g), 10, '0'), 1, 'illegal_parking', 'A01-03', 'medium',
      'cam-' || (g % 500), 'g' || (g % 20), 'street', 'road',
      case when g % 5 = 0 then 'dispatched' else 'closed' end, g % 5 = 0, g % 5 = 0,
      1700000000000 + g, 1700000000000 + g, 1700000000000 + g, 1, 0.8,
      '[{"label":"car","score":0.8,"box":[0.1,0.5,0.3,0.7]}]'::jsonb, '[0.1,0.5,0.3,0.7]'::jsonb, 'm@1', 'parking', 'Traffic police',
      1700000000000 + g + 7200000, 0, ${JSON.stringify({ first: EVIDENCE_A, latest: EVIDENCE_A, best: EVIDENCE_A })}::jsonb, ''
    from generate_series(1, ${opts.cases}) g`.execute(rec.db);
  // Each case's API text, as the store writes it with every change.
  await rebuildApiJson(rec.db);
  await sql`analyze cases`.execute(rec.db);
  const total = Number((await rec.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  // Every API route is authenticated (issue 8): the list is called with a viewer token, as a dashboard would.
  const kit = await testAuth(conn);
  const authorization = await kit.bearer('viewer');
  const changes = (await CaseChangeFeed.open(rec)).follow(store);
  const cases = { store, eventTypes: () => TEST_TYPES, evidenceDir: root };
  const app = createApiApp({ auth: kit.auth, store: new PatrolStore(conn, 'bench'), cameras: () => [], storageDir: root, cases: { ...cases, changes } });
  const uncached = createApiApp({ auth: kit.auth, store: new PatrolStore(conn, 'bench'), cameras: () => [], storageDir: root, cases });
  // The baseline: a trivial route in front of the same app, same process, a small JSON body.
  const outer = express();
  outer.get('/bench/trivial', (_req, res) => {
    res.json({ ok: true });
  });
  outer.use('/uncached', uncached);
  outer.use(app);
  const server = await listen(outer, '127.0.0.1', 0);
  const cannon = async (path: string) => {
    const r = await autocannon({ url: `${server.url}${path}`, connections: opts.connections, duration: opts.seconds, headers: { authorization } });
    return { path, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average), non2xx: r.non2xx, errors: r.errors };
  };
  const trivial = await cannon('/bench/trivial');
  const list = await cannon('/api/cases?status=pending&limit=50');
  const listUncached = await cannon('/uncached/api/cases?status=pending&limit=50');
  const authOnly = await cannon('/api/me');
  await server.close();
  await changes.close();
  await kit.cleanup();

  const rows = [
    ['single-row INSERT (baseline)', baselineInsertPerS, '1.00'],
    ['case intake: new cases via openOrUpdate', intakePerS, (intakePerS / baselineInsertPerS).toFixed(2)],
    ['case intake: repeat sightings (update)', updatePerS, (updatePerS / baselineInsertPerS).toFixed(2)],
    ['Queue.addBulk of the payloads (baseline)', addBulkPerS, '1.00'],
    ['outbox relay -> dispatch queue', relayPerS, (relayPerS / addBulkPerS).toFixed(2)],
  ];
  process.stdout.write(`${formatTable(['operation', 'per s', 'vs baseline'], rows)}\n\n`);
  const ratioP50 = list.p50 / Math.max(trivial.p50, 1);
  const ratioP99 = list.p99 / Math.max(trivial.p99, 1);
  process.stdout.write(
    `${formatTable(
      ['request', 'p50 ms', 'p99 ms', 'req/s', 'non-2xx', 'errors'],
      [trivial, list, listUncached, authOnly].map((r) => [r.path, r.p50, r.p99, r.rps, r.non2xx, r.errors]),
    )}\n(${total} cases in the record, ${opts.connections} connections, ${opts.seconds} s each; list/trivial p50 ${ratioP50.toFixed(2)}x, p99 ${ratioP99.toFixed(2)}x, req/s ${(list.rps / Math.max(trivial.rps, 1)).toFixed(2)}x of trivial (uncached ${(listUncached.rps / Math.max(trivial.rps, 1)).toFixed(2)}x, /api/me ${(authOnly.rps / Math.max(trivial.rps, 1)).toFixed(2)}x); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(
    opts.out,
    `${JSON.stringify({ intake: { casesPerS: intakePerS, updatesPerS: updatePerS, baselineInsertPerS, n: opts.intake, concurrency: opts.concurrency }, relay: { jobsPerS: relayPerS, addBulkPerS, n: relayed }, list: { cases: total, connections: opts.connections, trivial, pending: list, pendingUncached: listUncached, authOnly, p50Ratio: ratioP50, p99Ratio: ratioP99, rpsRatio: list.rps / Math.max(trivial.rps, 1) }, loadAverage: loadavg() }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await closeRedis(conn);
  await redis.close();
  await rec.close();
  await scratch.drop();
}
