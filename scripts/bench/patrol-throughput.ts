/**
 * Patrol throughput benchmark (not a test): visits per minute of ONE real worker (ffmpeg over RTSP
 * from the fixture server, the detector on every frame, health and records in Redis) with one
 * visit in flight (no pre-connect: connect, then analyse, then the next) and with two (the next
 * camera connects while the last one's frames are analysed). Same cameras, same run, baseline
 * first. Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/patrol-throughput.ts [--seconds 60] [--model picodet-s-416-coco] [--out bench-results/patrol-throughput.json]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { Detector } from '../../models/detector.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { PatrolLeader } from '../../pipeline/distributed/patrol-leader.ts';
import { PatrolStore, type VisitRecord } from '../../pipeline/distributed/patrol-store.ts';
import { PatrolWorker } from '../../pipeline/distributed/patrol-worker.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';
import { StreamCameraVisitor } from '../../pipeline/visit/stream-camera-visitor.ts';
import { startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable, median } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('patrol-throughput')
  .option('--seconds <n>', 'measured seconds per setting', numberIn(10, 3600, '--seconds'), 60)
  .option('--model <spec>', 'detector', 'picodet-s-416-coco')
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'patrol-throughput.json'))
  .parse();
const opts = program.opts<{ seconds: number; model: string; out: string }>();

const rtsp = await startRtspServer();
const redis = await startLocalRedis();
const storage = await mkdtemp(join(tmpdir(), 'gw-throughput-'));
const detector = await Detector.load(await resolveModel(opts.model));
// Every camera is always due (target 5 s < a visit cycle), so the worker never idles.
const paths = ['street-bus', 'street-cars', 'umbrellas', 'crowd', 'motion', 'gop4'];
const sources = new Map(paths.map((p) => [p, { id: p, url: rtsp.url(p) }]));
const cameras = paths.map((id) => ({ id, priority: 'key' as const, areaType: 'street' }));

interface Row {
  slots: number;
  visits: number;
  visitsPerMinute: number;
  medianVisitS: number;
  medianFirstFrameS: number;
}

async function measure(slots: number): Promise<Row> {
  const prefix = `tp${slots}`;
  const common = { redisUrl: redis.url, prefix, queueName: 'patrol' };
  const conn = createRedis(redis.url, 'worker');
  const visitor = new StreamCameraVisitor({
    cameras: () => sources,
    detector,
    plan: { frames: 3, spacingMs: 500, timeouts: { connectMs: 5000, firstFrameMs: 8000, visitMs: 20_000 } },
    health: new PatrolStore(conn, prefix),
  });
  const worker = new PatrolWorker({ ...common, slots, visitor, storageDir: storage, visitTimeoutMs: 20_000 });
  const leader = new PatrolLeader({ ...common, cameras, plan: { targets: { key: 5, normal: 5, low: 5 }, leadFraction: 0.5 }, tickMs: 50 });
  const done: VisitRecord[] = [];
  let measuring = false;
  worker.on('visit', (v) => {
    if (measuring) done.push(v);
  });
  worker.start();
  leader.start();
  await new Promise((r) => setTimeout(r, 5000)); // warm-up: leader elected, first connections made
  measuring = true;
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  measuring = false;
  await leader.close();
  await worker.close();
  await closeRedis(conn);
  const ok = done.filter((v) => v.ok);
  return {
    slots,
    visits: ok.length,
    visitsPerMinute: Number(((ok.length * 60) / opts.seconds).toFixed(1)),
    medianVisitS: Number((median(ok.map((v) => v.finishedAt - v.startedAt)) / 1000).toFixed(2)),
    medianFirstFrameS: Number((median(ok.map((v) => v.firstFrameMs ?? 0)) / 1000).toFixed(2)),
  };
}

try {
  const rows = [await measure(1), await measure(2)];
  const ratio = rows[1]!.visitsPerMinute / rows[0]!.visitsPerMinute;
  process.stdout.write(
    `${formatTable(
      ['visits in flight', 'visits', 'visits/min', 'median visit s', 'median first frame s'],
      rows.map((r) => [r.slots === 1 ? '1 (no pre-connect)' : `${r.slots} (pre-connect)`, r.visits, r.visitsPerMinute, r.medianVisitS, r.medianFirstFrameS]),
    )}\npre-connect / baseline: ${ratio.toFixed(2)}x (one worker, ${detector.card.id}, 3 frames at 500 ms, ${opts.seconds} s each)\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ model: detector.card.id, seconds: opts.seconds, rows, preconnectOverBaseline: Number(ratio.toFixed(3)) }, null, 2)}\n`);
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await detector.close();
  await redis.close();
  await rtsp.close();
  await rm(storage, { recursive: true, force: true });
}
