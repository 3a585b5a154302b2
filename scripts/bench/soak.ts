/**
 * Soak benchmark (not a test): runs the demo (`gridworker run --demo`) for N minutes and every
 * minute prints the gridworker process's resident memory, open file descriptors, live ffmpeg
 * children and the Redis keys under the demo prefix; writes them as JSON and says whether each
 * stayed within its bound after a warm-up.
 *
 * Bounds (after the warm-up, against the warm-up sample):
 * - RSS grows by at most 64 MiB (the model, sharp and ffmpeg pipes settle in the first minutes);
 * - open fds grow by at most 16;
 * - ffmpeg children never exceed the visit slots (2 in the demo) at any sample;
 * - Redis keys stay under 2500: BullMQ keeps at most 1000 completed and 1000 failed visit jobs,
 *   the rest is per camera (9) and per case (cases merge by place, so they do not grow per visit).
 *
 *   nice -n 10 npx tsx scripts/bench/soak.ts [--minutes 30] [--warmup 5] [--out bench-results/soak.json]
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
import { formatTable } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const BOUNDS = { rssGrowthMiB: 64, fdGrowth: 16, ffmpegChildren: 2, redisKeys: 2500 } as const;

interface Sample {
  readonly minute: number;
  readonly rssMiB: number;
  readonly fds: number;
  readonly ffmpegChildren: number;
  readonly redisKeys: number;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const fds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/**
 * ffmpeg processes started by `pid`: its children, or (the default since the spawner) children of
 * its children, i.e. of the ffmpeg spawner process.
 */
function ffmpegChildren(pid: number): number {
  const procs: { pid: number; name: string; ppid: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m) procs.push({ pid: Number(name), name: m[1]!, ppid: Number(m[2]) });
    } catch {
      // ended while we looked
    }
  }
  const children = new Set(procs.filter((p) => p.ppid === pid).map((p) => p.pid));
  return procs.filter((p) => p.name === 'ffmpeg' && (p.ppid === pid || children.has(p.ppid))).length;
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
    .option('--warmup <n>', 'minutes before the bounds apply', numberIn(0, 60, '--warmup'), 5)
    .option('--out <file>', 'JSON results', join(root, 'bench-results', 'soak.json'))
    .parse()
    .opts<{ minutes: number; warmup: number; out: string }>();
  const logFile = join(root, 'bench-results', 'soak-gridworker.log');
  const child = spawn(process.execPath, [join(root, 'scripts', 'gridworker.mjs'), 'run', '--demo', '--port', '0', '--no-progress', '--log-file', logFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let failedVisits = 0;
  let visits = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (/^\d\d:\d\d:\d\d \S+\s+(ok|FAILED)/.test(line)) visits++;
      if (/^\d\d:\d\d:\d\d \S+\s+FAILED/.test(line)) failedVisits++;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const samples: Sample[] = [];
  const pid = child.pid!;
  const header = ['minute', 'RSS MiB', 'open fds', 'ffmpeg children', 'Redis keys'];
  const row = (cells: readonly (string | number)[]): string => cells.map((c, i) => String(c).padEnd(header[i]!.length + 2)).join('').trimEnd();
  process.stdout.write(`soak: the demo for ${opts.minutes} minutes, one sample a minute (pid ${child.pid})\n${row(header)}\n`);
  try {
    for (let minute = 1; minute <= opts.minutes; minute++) {
      await sleep(60_000);
      if (child.exitCode !== null) throw new Error(`the demo exited early with code ${child.exitCode}`);
      const s: Sample = { minute, rssMiB: Number(rssMiB(pid).toFixed(1)), fds: fds(pid), ffmpegChildren: ffmpegChildren(pid), redisKeys: await redisKeys(redis) };
      samples.push(s);
      process.stdout.write(`${row([s.minute, s.rssMiB, s.fds, s.ffmpegChildren, s.redisKeys])}\n`);
    }
  } finally {
    await stopDemo(child);
    redis.disconnect();
  }
  const base = samples[Math.min(samples.length, Math.max(1, opts.warmup)) - 1]!;
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
  await writeFile(opts.out, `${JSON.stringify({ minutes: opts.minutes, warmupMinutes: opts.warmup, bounds: BOUNDS, verdict, within, visits, failedVisits, samples }, null, 2)}\n`);
  process.exitCode = Object.values(within).every(Boolean) ? 0 : 1;
}

await main();
