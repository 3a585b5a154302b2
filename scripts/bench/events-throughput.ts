/**
 * Events benchmark (not a test), two parts, each with a baseline measured in the same run:
 *
 * 1. Events per second through rules -> case -> dispatch (EventStage with a real Redis, case store,
 *    evidence rendering and the BullMQ dispatch queue), for visits that each confirm a crowd event:
 *    half on new cameras (a case opens and is dispatched), half repeats (the open case is updated).
 *    Baseline: the pure rule engine on the same visits.
 * 2. Verification API latency under concurrent requests (list pending, read a case, give a verdict),
 *    p50 / p99, against GET /healthz on the same server as the baseline.
 *
 *   npx tsx scripts/bench/events-throughput.ts [--visits 400] [--requests 2000] [--concurrency 32]
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { createApiApp } from '../../pipeline/api/api-app.ts';
import { listen } from '../../pipeline/api/http-server.ts';
import { CaseIntake } from '../../pipeline/cases/case-intake.ts';
import { CaseStore } from '../../pipeline/cases/case-store.ts';
import { Dispatcher } from '../../pipeline/dispatch/dispatcher.ts';
import { startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { PatrolStore } from '../../pipeline/distributed/patrol-store.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';
import { emptyCameraMemory } from '../../pipeline/events/camera-memory.ts';
import { DEFAULT_EVENT_TYPES, DEFAULT_RULES } from '../../pipeline/events/default-catalogue.ts';
import { EventStage } from '../../pipeline/events/event-stage.ts';
import { evaluateVisit } from '../../pipeline/events/rule-engine.ts';
import type { FrameDetections, VisitAnalysis } from '../../pipeline/visit/camera-visitor.ts';
import { numberIn } from '../commands/model-options.ts';
import { testAuth } from '../../pipeline/api/auth-test-kit.ts';
import { formatTable, quantile } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('events-throughput')
  .option('--visits <n>', 'visits pushed through the event stage', numberIn(10, 100_000, '--visits'), 400)
  .option('--requests <n>', 'API requests per kind', numberIn(10, 1_000_000, '--requests'), 2000)
  .option('--concurrency <n>', 'requests in flight', numberIn(1, 1000, '--concurrency'), 32)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'events-throughput.json'))
  .parse();
const opts = program.opts<{ visits: number; requests: number; concurrency: number; out: string }>();

const redis = await startLocalRedis();
const dir = await mkdtemp(join(tmpdir(), 'gw-events-bench-'));
const jpeg = await readFile(join(root, 'test-fixtures', 'coco', 'images', '000000000544.jpg'));
const crowdRule = { ...DEFAULT_RULES.find((r) => r.id === 'crowd_gathering')!, minCount: 4 };
const zones = [{ name: 'gate', kind: 'crowd_watch', points: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] as [number, number][] }];
const person = (x: number): FrameDetections[number] => ({ label: 'person', classId: 0, score: 0.8, box: [x, 0.6, x + 0.05, 0.9] });
const frame: FrameDetections = [0.1, 0.25, 0.4, 0.55, 0.7].map(person);
const cameraIds = Array.from({ length: Math.ceil(opts.visits / 2) }, (_, i) => `cam-${i}`);
const visitOf = (i: number): VisitAnalysis => ({
  cameraId: cameraIds[Math.floor(i / 2)]!,
  ok: true,
  frames: 3,
  model: 'bench@1',
  detections: [frame, frame, frame],
  latestJpeg: jpeg,
  health: { state: 'online' },
  eligibleAt: 0,
});

const conn = createRedis(redis.url, 'producer');
const store = new CaseStore(conn, { prefix: 'bench:cases' });
const dispatcher = new Dispatcher({ redisUrl: redis.url, prefix: 'bench', spoolDir: join(dir, 'spool') });
const intake = new CaseIntake({
  store,
  dispatcher,
  evidenceDir: join(dir, 'evidence'),
  eventType: (id) => DEFAULT_EVENT_TYPES.find((t) => t.id === id),
  camera: () => ({ grid: 'g1', areaType: 'school', zones }),
});
const stage = new EventStage({ redis: conn, prefix: 'bench', intake, evidenceDir: join(dir, 'evidence'), camera: (id) => ({ camera: { id, areaType: 'school', zones }, rules: [crowdRule] }) });

try {
  // 1. Baseline: the pure rule engine.
  let t = performance.now();
  let confirmed = 0;
  for (let i = 0; i < opts.visits; i++) {
    const v = visitOf(i);
    confirmed += evaluateVisit({ camera: { id: v.cameraId, areaType: 'school', zones }, rules: [crowdRule], frames: v.detections, model: 'bench@1', at: Date.now(), memory: emptyCameraMemory() }).events.length;
  }
  const rulesPerS = confirmed / ((performance.now() - t) / 1000);
  // The whole stage: rules, case store, evidence, dispatch. Visits of one camera go in order (as under the camera lock).
  t = performance.now();
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < opts.visits; i++) {
    for (const r of await stage.onVisit(visitOf(i), Date.now())) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  }
  const stageS = (performance.now() - t) / 1000;
  const filed = Object.values(outcomes).reduce((a, b) => a + b, 0);
  const stagePerS = filed / stageS;

  // 2. Verification API latency.
  const kit = await testAuth(conn);
  const admin = await kit.bearer('admin');
  const worker = await kit.bearer('grid_worker', ['g1']);
  const api = await listen(createApiApp({ auth: kit.auth, store: new PatrolStore(conn, 'bench'), cameras: () => [], storageDir: dir, cases: { store, eventTypes: () => DEFAULT_EVENT_TYPES, evidenceDir: join(dir, 'evidence') } }), '127.0.0.1', 0);
  const ids = (await store.list({ limit: 500 })).cases.map((c) => c.id);
  const run = async (name: string, make: (i: number) => [string, RequestInit?]): Promise<{ name: string; p50: number; p99: number; rps: number; errors: number }> => {
    const lat: number[] = [];
    let next = 0;
    let errors = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        for (let i = next++; i < opts.requests; i = next++) {
          const [path, init] = make(i);
          const s = performance.now();
          const r = await fetch(`${api.url}${path}`, { ...init, headers: { authorization: admin, ...(init?.headers as Record<string, string> | undefined) } });
          await r.arrayBuffer();
          if (r.status >= 400) errors++;
          lat.push(performance.now() - s);
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    return { name, p50: Number(quantile(lat, 0.5).toFixed(2)), p99: Number(quantile(lat, 0.99).toFixed(2)), rps: Math.round(opts.requests / wall), errors };
  };
  const json = { method: 'POST', headers: { 'content-type': 'application/json', authorization: worker } };
  const apiRows = [
    await run('GET /healthz (baseline)', () => ['/healthz']),
    await run('GET /api/cases?status=pending&limit=50', () => ['/api/cases?status=pending&limit=50']),
    await run('GET /api/cases/:id', (i) => [`/api/cases/${ids[i % ids.length]}`]),
    await run('POST /api/cases/:id/verdict (repeats are idempotent)', (i) => [`/api/cases/${ids[i % ids.length]}/verdict`, { ...json, body: JSON.stringify({ verdict: 'confirmed' }) }]),
  ];
  await api.close();
  await kit.cleanup();

  process.stdout.write(
    `${formatTable(
      ['stage', 'events', 'events/s', 'vs rules alone'],
      [
        ['rules alone (baseline)', confirmed, Math.round(rulesPerS), '1.00'],
        [`rules -> case -> dispatch (${Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(', ')})`, filed, Math.round(stagePerS), (stagePerS / rulesPerS).toFixed(4)],
      ],
    )}\n\n${formatTable(
      ['request', 'p50 ms', 'p99 ms', 'req/s', 'errors'],
      apiRows.map((r) => [r.name, r.p50, r.p99, r.rps, r.errors]),
    )}\n(${opts.concurrency} concurrent, ${opts.requests} requests each, ${ids.length} cases; 2 cores shared with Redis and the client)\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(
    opts.out,
    `${JSON.stringify({ visits: opts.visits, rulesEventsPerS: Math.round(rulesPerS), stageEventsPerS: Math.round(stagePerS), outcomes, api: apiRows, concurrency: opts.concurrency }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await dispatcher.close();
  await closeRedis(conn);
  await redis.close();
  await rm(dir, { recursive: true, force: true });
}
