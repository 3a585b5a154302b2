/**
 * Events benchmark (not a test), two parts, each with a baseline measured in the same run:
 *
 * 1. Events per second through rules -> case -> outbox -> dispatch (EventStage with the record on
 *    the real PostgreSQL (a scratch database), evidence rendering, the outbox relay into BullMQ on a
 *    real Redis), for visits that each confirm a crowd event:
 *    first one visit per camera (a case opens, its evidence is rendered, it is dispatched), then a
 *    second round of the same sightings (the open case is updated: no better score, so no evidence
 *    rendered and nothing dispatched), each round timed on its own. Baseline: the pure rule
 *    engine on the same visits. Visits go through the stage `--in-flight` at a time (as a worker
 *    runs the events stage of many cameras at once, one camera's visits in order). The repeat
 *    rounds run `--rounds` times (default 2) under each of three wirings, alternating: `after` (as
 *    shipped: unlocked reads of case groups coalesced, the version-guarded writes group-committed,
 *    camera memory written only when it changed), `each` (the same with one read and one
 *    statement and commit per sighting, the durable default before group commit) and `before` (the group lock and a transaction per
 *    sighting, camera memory written after every visit), and their ratios are printed.
 * 2. Verification API latency under concurrent requests (list pending, read a case, give a verdict),
 *    p50 / p99, against GET /healthz on the same server as the baseline.
 *
 *   npx tsx scripts/bench/events-throughput.ts [--visits 400] [--requests 2000] [--concurrency 32] [--in-flight 8] [--rounds 2]
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
import { OutboxRelay } from '../../pipeline/dispatch/outbox-relay.ts';
import { evidenceFrameKeeper } from '../../pipeline/cases/evidence-frames.ts';
import { openDatabase } from '../../pipeline/db/open-database.ts';
import { createScratchDatabase } from '../../pipeline/db/scratch-database.ts';
import { RecordCameraMemoryStore } from '../../pipeline/events/camera-memory-store.ts';
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
  .option('--rounds <n>', 'repeat rounds per wiring, alternating (a loaded machine drifts: more rounds, steadier medians)', numberIn(1, 100, '--rounds'), 2)
  .option('--in-flight <n>', 'visits through the event stage at once, one per camera at a time (a worker runs 4 per core)', numberIn(1, 1000, '--in-flight'), 8)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'events-throughput.json'))
  .parse();
const opts = program.opts<{ visits: number; requests: number; concurrency: number; rounds: number; inFlight: number; out: string }>();

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
const scratch = await createScratchDatabase(undefined, 'bench');
const record = await openDatabase({ url: scratch.url });
// Two wirings of the same stage on the same record: `after` as shipped, `before` with the store
// taking the group lock for every sighting and the stage writing camera memory after every visit
// (the path before repeat sightings were cut to two round trips), so both are timed in one run.
// A third, `each`, is `after` with one commit per repeat sighting instead of group commit (the
// durable default before group commit).
type Mode = 'before' | 'each' | 'after';
const stores = {
  before: new CaseStore(record.db, { eventType: (id) => DEFAULT_EVENT_TYPES.find((t) => t.id === id), sightingWrites: 'locked' }),
  each: new CaseStore(record.db, { eventType: (id) => DEFAULT_EVENT_TYPES.find((t) => t.id === id), repeatBatching: 'each' }),
  after: new CaseStore(record.db, { eventType: (id) => DEFAULT_EVENT_TYPES.find((t) => t.id === id) }),
};
const store = stores.after;
const relay = new OutboxRelay({ db: record.db, redisUrl: redis.url, prefix: 'bench', onDispatched: (ids, at) => store.markDispatchedMany(ids, at) });
const stageOf = (mode: Mode) =>
  new EventStage({
    memory: new RecordCameraMemoryStore(record.db),
    sink: new CaseIntake({
      store: stores[mode],
      evidenceDir: join(dir, 'evidence'),
      eventType: (id) => DEFAULT_EVENT_TYPES.find((t) => t.id === id),
      camera: () => ({ grid: 'g1', areaType: 'school', zones }),
    }),
    frames: evidenceFrameKeeper(join(dir, 'evidence')),
    camera: (id) => ({ camera: { id, areaType: 'school', zones }, rules: [crowdRule] }),
    memoryWrites: mode === 'before' ? 'every-visit' : 'changed',
  });
const stages = { before: stageOf('before'), each: stageOf('each'), after: stageOf('after') };

const describe = (outcomes: Record<string, number>): string => Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(', ');

try {
  // 1. Baseline: the pure rule engine.
  let t = performance.now();
  let confirmed = 0;
  for (let i = 0; i < opts.visits; i++) {
    const v = visitOf(i);
    confirmed += evaluateVisit({ camera: { id: v.cameraId, areaType: 'school', zones }, rules: [crowdRule], frames: v.detections, model: 'bench@1', at: Date.now(), memory: emptyCameraMemory() }).events.length;
  }
  const rulesPerS = confirmed / ((performance.now() - t) / 1000);
  // The whole stage: rules, case store, evidence, dispatch, in timed phases. Visits of one
  // camera go in order (as under the camera lock). First every camera once: each sighting opens a
  // case (evidence rendered, dispatched). Then every camera again with the same detections, round
  // after round: each is a repeat sighting of the open case with no better score (no evidence
  // rendered, nothing dispatched), the common case on a patrol; the rounds alternate between the
  // `before` and `after` wirings (two each) so drift in the machine's load hits both alike.
  type Phase = { outcomes: Record<string, number>; filed: number; seconds: number; perS: number };
  const phase = async (mode: Mode, visits: readonly VisitAnalysis[]): Promise<Phase> => {
    const outcomes: Record<string, number> = {};
    const t0 = performance.now();
    // `--in-flight` runners, as a worker's visits in flight; each round has one visit per camera.
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.inFlight }, async () => {
        for (let i = next++; i < visits.length; i = next++) {
          for (const r of await stages[mode].onVisit(visits[i]!, Date.now())) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        }
      }),
    );
    while ((await relay.relayOnce()).sent > 0);
    const seconds = (performance.now() - t0) / 1000;
    const filed = Object.values(outcomes).reduce((a, b) => a + b, 0);
    return { outcomes, filed, seconds, perS: filed / seconds };
  };
  const sum = (a: Phase, b: Phase): Phase => {
    const outcomes = { ...a.outcomes };
    for (const [k, v] of Object.entries(b.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    const filed = a.filed + b.filed;
    const seconds = a.seconds + b.seconds;
    return { outcomes, filed, seconds, perS: filed / seconds };
  };
  const firstSightings = await phase('after', cameraIds.map((_, i) => visitOf(2 * i)));
  const repeatRound = (mode: Mode) => phase(mode, cameraIds.map((_, i) => visitOf(2 * i + 1)));
  const rounds: Record<Mode, Phase[]> = { before: [], each: [], after: [] };
  for (let r = 0; r < opts.rounds; r++) for (const mode of ['before', 'each', 'after'] as const) rounds[mode].push(await repeatRound(mode));
  const repeatBefore = rounds.before.reduce(sum);
  const repeatEach = rounds.each.reduce(sum);
  const repeatSightings = rounds.after.reduce(sum);
  // Per round, so the drift of a shared machine shows: the median ratio of neighbouring rounds.
  const perRound = (m: Mode): number[] => rounds[m].map((p) => Math.round(p.perS));
  const medianRatio = (a: Mode, b: Mode): number => quantile(rounds[a].map((p, i) => p.perS / rounds[b][i]!.perS), 0.5);
  const filed = firstSightings.filed + repeatSightings.filed;
  const stagePerS = filed / (firstSightings.seconds + repeatSightings.seconds);

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
      ['stage', 'events', 'events/s', 'vs rules alone', 'vs new cases'],
      [
        ['rules alone (baseline)', confirmed, Math.round(rulesPerS), '1.00', ''],
        [`new cases: rules -> case -> evidence -> outbox -> dispatch (${describe(firstSightings.outcomes)})`, firstSightings.filed, Math.round(firstSightings.perS), (firstSightings.perS / rulesPerS).toFixed(4), '1.00'],
        [`repeat sightings BEFORE: group lock + transaction per sighting, memory read+written every visit (${describe(repeatBefore.outcomes)})`, repeatBefore.filed, Math.round(repeatBefore.perS), (repeatBefore.perS / rulesPerS).toFixed(4), (repeatBefore.perS / firstSightings.perS).toFixed(2)],
        [`repeat sightings EACH: one unlocked read + one guarded statement and commit each (${describe(repeatEach.outcomes)})`, repeatEach.filed, Math.round(repeatEach.perS), (repeatEach.perS / rulesPerS).toFixed(4), (repeatEach.perS / firstSightings.perS).toFixed(2)],
        [`repeat sightings AFTER: unlocked reads coalesced, group commit of the guarded writes (${describe(repeatSightings.outcomes)})`, repeatSightings.filed, Math.round(repeatSightings.perS), (repeatSightings.perS / rulesPerS).toFixed(4), (repeatSightings.perS / firstSightings.perS).toFixed(2)],
        ['new cases + repeats after', filed, Math.round(stagePerS), (stagePerS / rulesPerS).toFixed(4), ''],
      ],
    )}\n${opts.inFlight} visits in flight; repeat sightings after / before, same run: ${(repeatSightings.perS / repeatBefore.perS).toFixed(2)}x; after / each: ${(repeatSightings.perS / repeatEach.perS).toFixed(2)}x\nper round (events/s): before ${perRound('before').join(' ')}; each ${perRound('each').join(' ')}; after ${perRound('after').join(' ')}; median ratio of neighbouring rounds after / each ${medianRatio('after', 'each').toFixed(2)}x, after / before ${medianRatio('after', 'before').toFixed(2)}x\n\n${formatTable(
      ['request', 'p50 ms', 'p99 ms', 'req/s', 'errors'],
      apiRows.map((r) => [r.name, r.p50, r.p99, r.rps, r.errors]),
    )}\n(${opts.concurrency} concurrent, ${opts.requests} requests each, ${ids.length} cases; 2 cores shared with Redis and the client)\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(
    opts.out,
    `${JSON.stringify({ visits: opts.visits, rulesEventsPerS: Math.round(rulesPerS), stageEventsPerS: Math.round(stagePerS), newCases: { ...firstSightings, perS: Math.round(firstSightings.perS) }, repeatSightings: { ...repeatSightings, perS: Math.round(repeatSightings.perS) }, repeatSightingsBefore: { ...repeatBefore, perS: Math.round(repeatBefore.perS) }, repeatSightingsEach: { ...repeatEach, perS: Math.round(repeatEach.perS) }, repeatAfterVsBefore: Number((repeatSightings.perS / repeatBefore.perS).toFixed(2)), repeatAfterVsEach: Number((repeatSightings.perS / repeatEach.perS).toFixed(2)), perRound: { before: perRound('before'), each: perRound('each'), after: perRound('after') }, medianRoundRatioAfterVsEach: Number(medianRatio('after', 'each').toFixed(2)), inFlight: opts.inFlight, rounds: opts.rounds, repeatVsNew: Number((repeatSightings.perS / firstSightings.perS).toFixed(2)), api: apiRows, concurrency: opts.concurrency }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await relay.close();
  await record.close();
  await scratch.drop();
  await closeRedis(conn);
  await redis.close();
  await rm(dir, { recursive: true, force: true });
}
