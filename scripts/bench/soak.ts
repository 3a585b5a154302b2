/**
 * Soak benchmark (not a test): runs the demo (`gridworker run --demo`) for N minutes and every
 * minute prints the gridworker process's resident memory, open file descriptors, live ffmpeg
 * children and the Redis keys under the demo prefix; writes them as JSON and says whether each
 * stayed within its bound after a warm-up.
 *
 * RSS is the gridworker process plus its detector processes (issue 12 moved inference into
 * children: a leak there would not show in the main process alone); fds are the main process's.
 *
 * Bounds (after the warm-up, against the warm-up sample):
 * - RSS grows by at most 64 MiB (the model, sharp and ffmpeg pipes settle in the first minutes);
 * - open fds grow by at most 16;
 * - ffmpeg children never exceed the demo worker's visit slots (`auto`: 4 per core) at any sample;
 * - Redis keys stay under 2500: BullMQ keeps at most 1000 completed and 1000 failed visit jobs,
 *   the rest is per camera (9) and per case (cases merge by place, so they do not grow per visit).
 * The warm-up is cut to a third of the run when the run is not longer than it (`--minutes 3`: 1).
 * The demo runs on its own redis-server (started here) unless --redis is given, so it never
 * touches the demo state of another run sharing the machine's Redis.
 *
 *   nice -n 10 npx tsx scripts/bench/soak.ts [--minutes 30] [--warmup 5] [--redis <url>] [--out bench-results/soak.json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { numberIn } from '../commands/model-options.ts';
import { DEMO_PREFIX } from '../commands/demo-state.ts';
import { availableParallelism } from 'node:os';
import { startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { workerCapacity } from '../../pipeline/visit/worker-capacity.ts';
import { formatTable } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
/** The demo worker's visit slots: `visitsInFlightPerWorker: auto` on this machine's cores. */
const DEMO_SLOTS = workerCapacity({ visitsInFlightPerWorker: 'auto', detectorProcesses: 'auto' }, availableParallelism()).visitsInFlight;
const BOUNDS = { rssGrowthMiB: 64, fdGrowth: 16, ffmpegChildren: DEMO_SLOTS, redisKeys: 2500 } as const;

interface Sample {
  readonly minute: number;
  /** The gridworker process plus its detector processes. */
  readonly rssMiB: number;
  readonly detectorProcesses: number;
  readonly fds: number;
  readonly ffmpegChildren: number;
  readonly redisKeys: number;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // ended while we looked
  }
}

const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** Processes by pid, command name and parent (from /proc/<pid>/stat). */
function processes(): { pid: number; comm: string; ppid: number }[] {
  const out: { pid: number; comm: string; ppid: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m) out.push({ pid: Number(name), comm: m[1]!, ppid: Number(m[2]) });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/**
 * The demo's child processes besides ffmpeg (detector processes, the ffmpeg spawner) and its ffmpeg
 * processes: children of the demo or (the default) of its spawner.
 */
function family(pid: number): { helpers: { pid: number; comm: string }[]; ffmpeg: number } {
  const all = processes();
  const kids = all.filter((p) => p.ppid === pid);
  const kidPids = new Set(kids.map((k) => k.pid));
  const ffmpeg = all.filter((p) => p.comm === 'ffmpeg' && (p.ppid === pid || kidPids.has(p.ppid))).length;
  return { helpers: kids.filter((k) => k.comm !== 'ffmpeg'), ffmpeg };
}

async function redisKeys(redis: Redis): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${DEMO_PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

function stopDemo(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGINT');
  });
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--minutes <n>', 'how long to run the demo', numberIn(1, 24 * 60, '--minutes'), 30)
    .option('--warmup <n>', 'minutes before the bounds apply (cut to a third of a run not longer than it)', numberIn(0, 60, '--warmup'), 5)
    .option('--redis <url>', 'Redis for the demo (default: a redis-server started for the soak)')
    .option('--out <file>', 'JSON results', join(root, 'bench-results', 'soak.json'))
    .parse()
    .opts<{ minutes: number; warmup: number; redis?: string; out: string }>();
  const warmup = opts.warmup < opts.minutes ? opts.warmup : Math.max(1, Math.floor(opts.minutes / 3));
  const own = opts.redis ? undefined : await startLocalRedis();
  const redisUrl = opts.redis ?? own!.url;
  const logFile = join(root, 'bench-results', 'soak-gridworker.log');
  const child = spawn(process.execPath, [join(root, 'scripts', 'gridworker.mjs'), 'run', '--demo', '--port', '0', '--no-progress', '--redis', redisUrl, '--log-file', logFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let failedVisits = 0;
  let visits = 0;
  // The minutes count from when the demo runs (its start encodes clips and loads the model: minutes under load).
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.startsWith('gridworker running:')) started();
      if (/^\d\d:\d\d:\d\d \S+\s+(ok|FAILED)/.test(line)) visits++;
      if (/^\d\d:\d\d:\d\d \S+\s+FAILED/.test(line)) failedVisits++;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const samples: Sample[] = [];
  const pid = child.pid!;
  const header = ['minute', 'RSS MiB (main + helpers)', 'open fds', 'ffmpeg children', 'Redis keys'];
  const row = (cells: readonly (string | number)[]): string => cells.map((c, i) => String(c).padEnd(header[i]!.length + 2)).join('').trimEnd();
  process.stdout.write(`soak: the demo for ${opts.minutes} minutes, one sample a minute (pid ${child.pid}, Redis ${redisUrl}); bounds after minute ${warmup}: RSS +${BOUNDS.rssGrowthMiB} MiB, fds +${BOUNDS.fdGrowth}, ffmpeg children <= ${BOUNDS.ffmpegChildren}, Redis keys <= ${BOUNDS.redisKeys}\n${row(header)}\n`);
  try {
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the demo exited with code ${code} before it ran`))));
    const t0 = Date.now();
    const giveUp = new AbortController();
    const tooLong = sleep(15 * 60_000, undefined, { signal: giveUp.signal }).then(() => Promise.reject(new Error('the demo did not start within 15 minutes')));
    tooLong.catch(() => undefined);
    await Promise.race([running, exited, tooLong]).finally(() => giveUp.abort());
    process.stdout.write(`the demo runs (started in ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    for (let minute = 1; minute <= opts.minutes; minute++) {
      await sleep(60_000);
      if (child.exitCode !== null) throw new Error(`the demo exited early with code ${child.exitCode}`);
      const { helpers, ffmpeg } = family(pid);
      const rss = rssMiB(pid) + helpers.reduce((sum, k) => sum + rssMiB(k.pid), 0);
      const s: Sample = { minute, rssMiB: Number(rss.toFixed(1)), detectorProcesses: helpers.length, fds: fds(pid), ffmpegChildren: ffmpeg, redisKeys: await redisKeys(redis) };
      samples.push(s);
      process.stdout.write(`${row([s.minute, s.rssMiB, s.fds, s.ffmpegChildren, s.redisKeys])}\n`);
    }
  } finally {
    await stopDemo(child);
    redis.disconnect();
    await own?.close();
  }
  const base = samples[Math.min(samples.length, Math.max(1, warmup)) - 1]!;
  const after = samples.filter((s) => s.minute >= base.minute);
  const verdict = {
    rssGrowthMiB: Number((Math.max(...after.map((s) => s.rssMiB)) - base.rssMiB).toFixed(1)),
    fdGrowth: Math.max(...after.map((s) => s.fds)) - base.fds,
    maxFfmpegChildren: Math.max(...samples.map((s) => s.ffmpegChildren)),
    maxRedisKeys: Math.max(...samples.map((s) => s.redisKeys)),
  };
  const within = {
    rss: verdict.rssGrowthMiB <= BOUNDS.rssGrowthMiB,
    fds: verdict.fdGrowth <= BOUNDS.fdGrowth,
    ffmpeg: verdict.maxFfmpegChildren <= BOUNDS.ffmpegChildren,
    redisKeys: verdict.maxRedisKeys <= BOUNDS.redisKeys,
  };
  process.stdout.write(`\n${formatTable(['measure', 'after warm-up (minute ' + base.minute + ')', 'bound', 'within'], [
    ['RSS growth MiB', verdict.rssGrowthMiB, BOUNDS.rssGrowthMiB, String(within.rss)],
    ['open fd growth', verdict.fdGrowth, BOUNDS.fdGrowth, String(within.fds)],
    ['ffmpeg children (max)', verdict.maxFfmpegChildren, BOUNDS.ffmpegChildren, String(within.ffmpeg)],
    ['Redis keys (max)', verdict.maxRedisKeys, BOUNDS.redisKeys, String(within.redisKeys)],
  ])}\nvisits ${visits} (${failedVisits} failed; the demo has two broken cameras on purpose)\n`);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ minutes: opts.minutes, warmupMinutes: warmup, bounds: BOUNDS, verdict, within, visits, failedVisits, samples }, null, 2)}\n`);
  process.exitCode = Object.values(within).every(Boolean) ? 0 : 1;
}

await main();
