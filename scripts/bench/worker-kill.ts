/**
 * Worker-kill benchmark (not a test): two real worker processes (`gridworker run --role worker`)
 * patrol the fixture cameras under an in-process scheduler; one is killed with SIGKILL while it
 * has at least two visits in flight (camera locks held). Reports the longest time with no visit
 * finishing at all, before and after the kill, per setting (same run, in turn), against the key
 * revisit target. Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/worker-kill.ts [--settings 2,auto] [--after 40] [--out bench-results/worker-kill.json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { parseConfig } from '../../pipeline/config/load-config.ts';
import { startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { PatrolLeader } from '../../pipeline/distributed/patrol-leader.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';
import { configureLogging } from '../../pipeline/log.ts';
import { schedulerCameras, schedulerPlan } from '../../pipeline/patrol/plan-from-config.ts';
import { createScratchDatabase } from '../../pipeline/db/scratch-database.ts';
import { DEFAULT_STREAMS, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { GRIDWORKER_BIN, PROJECT_ROOT } from '../../test-fixtures/lib/run-cli.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('worker-kill')
  .option('--settings <list>', 'visits in flight per worker, per setting (number or auto)', '2,auto')
  .option('--warmup <s>', 'seconds of patrol before the kill (after the first 10 visits)', numberIn(5, 600, '--warmup'), 15)
  .option('--after <s>', 'seconds observed after the kill', numberIn(5, 600, '--after'), 40)
  .option('--cameras <n>', 'cameras', numberIn(2, 200, '--cameras'), 16)
  .option('--key-target <s>', 'key revisit target, s', numberIn(5, 600, '--key-target'), 5)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'worker-kill.json'))
  .parse();
const opts = program.opts<{ settings: string; warmup: number; after: number; cameras: number; keyTarget: number; out: string }>();
configureLogging({ level: 'warn' });

const rtsp = await startRtspServer({ streams: DEFAULT_STREAMS, auth: null });
const redis = await startLocalRedis();
// Worker processes are split roles: they need a shared PostgreSQL (tokens for /metrics, the case record).
const record = await createScratchDatabase(undefined, 'kill');
const dir = await mkdtemp(join(tmpdir(), 'gw-kill-'));
const paths = rtsp.paths.filter((p) => p !== 'secure');

interface Row {
  setting: string;
  visitsBefore: number;
  visitsAfter: number;
  inFlightAtKill: number;
  longestGapBeforeS: number;
  longestGapAfterS: number;
  keyTargetS: number;
  withinTarget: boolean;
}

const longestGap = (times: readonly number[], from: number, to: number): number => {
  const t = [from, ...times.filter((x) => x > from && x < to), to];
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, t[i]! - t[i - 1]!);
  return gap / 1000;
};

async function measure(setting: string): Promise<Row> {
  const prefix = `gwkill${setting}${Date.now() % 100000}`;
  const cams = Array.from({ length: opts.cameras }, (_, i) => `  - { id: c${i}, name: c${i}, url: "${rtsp.url(paths[i % paths.length]!)}", areaType: street, grid: g1, priority: key }`);
  const config = [
    'cameras:',
    ...cams,
    'patrol:',
    `  revisitTargets: { key: ${opts.keyTarget}, normal: ${opts.keyTarget}, low: ${opts.keyTarget} }`,
    '  dwell: { frames: 3, spacingMs: 500 }',
    `  visitsInFlightPerWorker: ${setting}`,
    '  timeouts: { connectMs: 5000, firstFrameMs: 8000, visitMs: 20000 }',
    'models: { default: picodet-s-416-coco }',
    // Two workers on one host: each serves /metrics on a free port.
    'api: { host: 127.0.0.1, port: 0, metricsPort: 0 }',
    `redis: { url: "${redis.url}", prefix: ${prefix} }`,
    `storage: { dir: "${join(dir, prefix)}" }`,
  ].join('\n');
  const file = join(dir, `${prefix}.yaml`);
  await writeFile(file, config);
  const parsed = parseConfig(config, file);
  const leader = new PatrolLeader({ redisUrl: redis.url, prefix, queueName: 'patrol', cameras: schedulerCameras(parsed), plan: schedulerPlan(parsed) });
  const finished: number[] = [];
  leader.on('completed', (r) => finished.push(r.finishedAt));
  leader.start();
  const workers: ChildProcess[] = [0, 1].map(() =>
    spawn(process.execPath, [GRIDWORKER_BIN, 'run', '--config', file, '--role', 'worker', '--no-progress'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: record.url } }),
  );
  // A worker that exits before the kill makes the measurement meaningless: say so with its last words.
  const stderr = workers.map((w) => {
    const lines: string[] = [];
    w.stderr!.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean).slice(-5)));
    return lines;
  });
  const dead = (): string | undefined => {
    const i = workers.findIndex((w) => w.exitCode !== null);
    return i < 0 ? undefined : `worker ${i} exited with code ${workers[i]!.exitCode} before the kill: ${stderr[i]!.slice(-5).join(' | ')}`;
  };
  const conn = createRedis(redis.url, 'producer');
  try {
    // Worker start-up (model load in each detector process) is not part of the measurement: the
    // warm-up counts from the first 10 finished visits on.
    for (const end = Date.now() + 180_000; finished.length < 10 && Date.now() < end; ) {
      const why = dead();
      if (why) throw new Error(why);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (finished.length < 10) throw new Error(`the workers finished ${finished.length} visits in 3 minutes; nothing to measure`);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, opts.warmup * 1000));
    const why = dead();
    if (why) throw new Error(why);
    // Kill worker 0 at a moment it holds at least two camera locks (two visits in flight).
    const victim = workers[0]!;
    let inFlight = 0;
    for (let tries = 0; tries < 400; tries++) {
      const keys = await conn.keys(`${prefix}:lock:*`);
      const holders = keys.length ? await conn.mget(...keys) : [];
      inFlight = holders.filter((h) => h?.split(':')[1] === String(victim.pid)).length;
      if (inFlight >= 2) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const killedAt = Date.now();
    victim.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, opts.after * 1000));
    const end = Date.now();
    const gapAfter = longestGap(finished, killedAt, end);
    return {
      setting,
      visitsBefore: finished.filter((t) => t <= killedAt && t > start).length,
      visitsAfter: finished.filter((t) => t > killedAt).length,
      inFlightAtKill: inFlight,
      longestGapBeforeS: Number(longestGap(finished, start, killedAt).toFixed(2)),
      longestGapAfterS: Number(gapAfter.toFixed(2)),
      keyTargetS: opts.keyTarget,
      withinTarget: gapAfter < opts.keyTarget,
    };
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await leader.close();
    await closeRedis(conn);
  }
}

try {
  const load0 = loadavg()[0]!;
  const rows: Row[] = [];
  for (const s of opts.settings.split(',')) {
    rows.push(await measure(s.trim()));
    process.stderr.write(`${s}: longest gap after the kill ${rows.at(-1)!.longestGapAfterS} s\n`);
  }
  process.stdout.write(
    `${formatTable(
      ['visits in flight', 'locks held at kill', 'visits before', 'visits after', 'longest gap before s', 'longest gap after kill s', 'key target s', 'within'],
      rows.map((r) => [r.setting, r.inFlightAtKill, r.visitsBefore, r.visitsAfter, r.longestGapBeforeS, r.longestGapAfterS, r.keyTargetS, r.withinTarget ? 'yes' : 'NO']),
    )}\n(2 worker processes, ${opts.cameras} cameras, kill -9 of one after ${opts.warmup} s, ${opts.after} s observed; load ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)})\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ rows }, null, 2)}\n`);
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await redis.close();
  await rtsp.close();
  await record.drop();
  await rm(dir, { recursive: true, force: true });
}
