/**
 * Worker throughput benchmark (not a test): visits per minute of ONE all-in-one process
 * (`startGridworker` with the scheduler, a worker and the API: real ffmpeg over RTSP from the
 * fixture server, the real detector, Redis, the events stage) per setting, interleaved round by
 * round so every ratio compares runs of the same minutes. Per setting it reports visits/min, the
 * CPU seconds per visit of ffmpeg (reaped children) and of this process (inference, its threads,
 * Redis and the rest), the ceiling those allow on this machine's cores, how close the worker
 * came, and the event-loop lateness p99 (perf_hooks monitorEventLoopDelay with the timer period
 * taken off, at 10 ms and 1 ms periods: see loop-lateness.ts) while patrolling, beside an idle
 * control process's in the same window, and the main thread's run-queue wait (schedstat).
 *
 *   npx tsx scripts/bench/worker-throughput.ts [--seconds 30] [--rounds 2] [--sets 640,1080]
 *       [--settings main:2,auto] [--out bench-results/worker-throughput.json]
 *
 * A setting is `auto` (the defaults), `main:N` (detector on the main thread, N visits in flight:
 * the behaviour before the detector pool) or `T:N` (T detector threads, N visits); a `/js` suffix
 * scales frames in JS instead of ffmpeg, a `/self` suffix forks ffmpeg from the patrol process
 * itself instead of from the spawner process (the behaviour before it), a `/niceN` suffix sets
 * `patrol.childNice` to N (`/nice0`: detector processes and ffmpeg at the patrol process's priority,
 * the behaviour before that setting), a `/pollMS` suffix sets the outbox relay's safety-net poll
 * (`/poll250`: the relay looks every 250 ms, as before it was woken by case changes). The `1080` set runs 1920x1080 H.264 cameras (GOP 1 s
 * and 4 s) built from committed photos.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { Command } from 'commander';
import { availableCores } from '../../models/detector-pool.ts';
import { parseConfig } from '../../pipeline/config/load-config.ts';
import { startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import type { VisitRecord } from '../../pipeline/distributed/patrol-store.ts';
import { startGridworker } from '../../pipeline/gridworker-main.ts';
import { sharedSpawner } from '../../streams/ffmpeg-spawner.ts';
import { configureLogging } from '../../pipeline/log.ts';
import { DEFAULT_STREAMS, HD_STREAMS, type RtspTestServer, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { numberIn } from '../commands/model-options.ts';
import { controlScript, type LoopLateness, LoopLatenessMonitor } from './loop-lateness.ts';
import { formatTable, median } from './stats.ts';
import { workersNeeded } from './workers-needed.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('worker-throughput')
  .option('--seconds <n>', 'measured seconds per setting and round', numberIn(5, 3600, '--seconds'), 30)
  .option('--warmup <n>', 'seconds before measuring (model load, first connections)', numberIn(1, 600, '--warmup'), 8)
  .option('--rounds <n>', 'rounds (each runs every setting once, in turn)', numberIn(1, 20, '--rounds'), 2)
  .option('--sets <list>', 'camera sets: 640 (fixture cameras), 1080 (1920x1080)', '640,1080')
  .option('--settings <list>', 'settings, comma-separated (see the file comment)', 'main:2,auto')
  .option('--cameras <n>', 'cameras (spread over the set\'s streams)', numberIn(1, 200, '--cameras'), 24)
  .option('--model <spec>', 'detector', 'picodet-s-416-coco')
  .option('--no-simulate', 'skip the workers-needed simulation')
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'worker-throughput.json'))
  .option('--cpu-prof <dir>', 'write a V8 CPU profile and a sampling heap profile of each measurement window (main thread of the patrol process) into this folder')
  .option('--child <json>', '(internal) run one measurement in this process and print its row')
  .parse();
const opts = program.opts<{ seconds: number; warmup: number; rounds: number; sets: string; settings: string; cameras: number; model: string; simulate: boolean; out: string; cpuProf?: string; child?: string }>();

interface Setting {
  readonly name: string;
  readonly detectorProcesses: number | 'auto';
  readonly visits: number | 'auto';
  readonly scaleIn: 'ffmpeg' | 'js';
  readonly spawnFrom: 'spawner' | 'self';
  /** patrol.childNice, or undefined for the config default. */
  readonly childNice: number | undefined;
  /** The outbox relay's safety-net poll, ms (startGridworker's outboxPollEveryMs), or undefined for the default. */
  readonly outboxPollMs: number | undefined;
}

function parseSetting(text: string): Setting {
  const [main = '', ...suffixes] = text.split('/');
  const niceOf = (x: string): number | undefined => (/^nice(\d{1,2})$/.test(x) && Number(x.slice(4)) <= 19 ? Number(x.slice(4)) : undefined);
  const pollOf = (x: string): number | undefined => (/^poll\d{2,6}$/.test(x) ? Number(x.slice(4)) : undefined);
  const unknown = suffixes.find((x) => x !== 'js' && x !== 'self' && niceOf(x) === undefined && pollOf(x) === undefined);
  if (unknown !== undefined) throw new Error(`--settings: "${text}": unknown suffix /${unknown} (/js, /self, /niceN with N 0-19 or /pollMS)`);
  const scaleIn = suffixes.includes('js') ? 'js' : 'ffmpeg';
  const spawnFrom = suffixes.includes('self') ? 'self' : 'spawner';
  const childNice = suffixes.map(niceOf).find((n) => n !== undefined);
  const outboxPollMs = suffixes.map(pollOf).find((n) => n !== undefined);
  if (main === 'auto') return { name: text, detectorProcesses: 'auto', visits: 'auto', scaleIn, spawnFrom, childNice, outboxPollMs };
  const m = /^(main|\d+):(\d+)$/.exec(main);
  if (!m) throw new Error(`--settings: "${text}" is not auto, main:N or T:N (optionally /js, /self)`);
  return { name: text, detectorProcesses: m[1] === 'main' ? 0 : Number(m[1]), visits: Number(m[2]), scaleIn, spawnFrom, childNice, outboxPollMs };
}

/** utime + stime and cutime + cstime (reaped children) of a process, CPU seconds. */
async function procCpuS(pid: number | 'self'): Promise<{ own: number; children: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return { own: 0, children: 0 };
  // Fields after "(comm) ": state is field 3; utime, stime, cutime, cstime are fields 14-17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { own: (f[11]! + f[12]!) / 100, children: (f[13]! + f[14]!) / 100 };
}

/**
 * Detector processes of this process (children running detector-process-entry.mjs) with their
 * niceness: the worker's model set hides its pool, so they are found in /proc.
 */
async function detectorChildren(): Promise<{ pid: number; nice: number }[]> {
  const found: { pid: number; nice: number }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const [stat, cmd] = await Promise.all([readFile(`/proc/${name}/stat`, 'utf8').catch(() => ''), readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')]);
    // After "(comm) ": ppid is field 4, nice field 19.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[1]) === process.pid && cmd.includes('detector-process-entry')) found.push({ pid: Number(name), nice: Number(f[16]) });
  }
  return found;
}

/**
 * Time the main thread of this process spent on a core and waiting in the run queue for one (ms),
 * from /proc/self/task/<pid>/schedstat: the waiting is the OS's share of the event-loop lateness.
 */
async function mainThreadSched(): Promise<{ runMs: number; waitMs: number }> {
  const text = await readFile(`/proc/self/task/${process.pid}/schedstat`, 'utf8').catch(() => '0 0');
  const [run = 0, wait = 0] = text.trim().split(' ').map(Number);
  return { runMs: run / 1e6, waitMs: wait / 1e6 };
}

interface Row {
  set: string;
  setting: string;
  round: number;
  detectorProcesses: number;
  /** Niceness of the detector processes (the patrol process's own plus patrol.childNice). */
  detectorNice: number;
  visitsInFlight: number;
  visits: number;
  visitsPerMinute: number;
  medianVisitS: number;
  medianFirstFrameS: number;
  ffmpegCpuSPerVisit: number;
  processCpuSPerVisit: number;
  /** Visits a minute the cores allow at the measured CPU per visit. */
  ceilingPerMinute: number;
  /** visitsPerMinute / ceilingPerMinute. */
  ofCeiling: number;
  /** Event-loop lateness p99, ms (10 ms period, period taken off; loop-lateness.ts). */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** The same at a 1 ms period (sees shorter stalls, dilutes long ones). */
  eventLoopP99At1MsMs: number;
  /** Raw histogram p99 at a 10 ms period (period included): the figure of earlier reports. */
  eventLoopP99At10MsRawMs: number;
  /** Main thread on a core, ms per second of the window. */
  mainRunMsPerS: number;
  /** Main thread runnable but waiting for a core (run queue), ms per second of the window. */
  mainRunQueueMsPerS: number;
  /** Time the patrol process's main thread spent in garbage collection, per visit (ms). */
  gcMsPerVisit: number;
  /** Event-loop delay p99 of an idle Node process in the same window (the machine's share). */
  idleControlLoopP99Ms: number;
  idleControlLoopP99At1MsMs: number;
  idleControlLoopP99At10MsRawMs: number;
  load1: number;
}

const cores = availableCores();
configureLogging({ level: process.env.LOG_LEVEL ?? 'warn' });

/**
 * An idle Node process measuring its own event-loop delay for `seconds`: on a shared machine the
 * OS alone delays timers (a runnable process waits for a core), and this control, measured in the
 * same window, shows how much of the patrol process's delay is that.
 */
function controlLoopDelay(seconds: number): Promise<LoopLateness> {
  const code = controlScript(seconds);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out) as LoopLateness));
  });
}

/**
 * Starts the V8 CPU profiler and the sampling heap profiler of this thread; the returned function
 * stops both and writes `<base>.cpuprofile` and `<base>.heapprofile` (allocations by call site).
 */
async function startProfiler(): Promise<(base: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('HeapProfiler.enable');
  await post('Profiler.start');
  // Every allocation sampled, also those already collected again (what makes the GC work).
  await post('HeapProfiler.startSampling', { includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async (base) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    const { profile: heap } = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
    session.disconnect();
    await mkdir(dirname(base), { recursive: true });
    await writeFile(`${base}.cpuprofile`, JSON.stringify(profile));
    await writeFile(`${base}.heapprofile`, JSON.stringify(heap));
  };
}

/** One measurement, run in a fresh process of its own (its memory, CPU and event loop alone). */
interface ChildJob {
  readonly set: string;
  readonly setting: string;
  readonly round: number;
  /** rtsp://127.0.0.1:port/ of the set's server and its camera paths. */
  readonly urls: readonly string[];
  readonly redisUrl: string;
  readonly dir: string;
}

function configText(job: ChildJob, s: Setting, prefix: string, storage: string): string {
  const cams = Array.from({ length: opts.cameras }, (_, i) => {
    const url = job.urls[i % job.urls.length]!;
    return `  - { id: c${i}, name: c${i}, url: "${url}", areaType: street, grid: g${job.set}, priority: key }`;
  });
  return [
    'cameras:',
    ...cams,
    'patrol:',
    // Every camera is always due (5 s < a visit cycle): the worker never idles for lack of work.
    '  revisitTargets: { key: 5, normal: 5, low: 5 }',
    '  leadFraction: 0.5',
    '  dwell: { frames: 3, spacingMs: 500 }',
    `  visitsInFlightPerWorker: ${s.visits}`,
    `  detectorProcesses: ${s.detectorProcesses}`,
    ...(s.childNice === undefined ? [] : [`  childNice: ${s.childNice}`]),
    '  timeouts: { connectMs: 5000, firstFrameMs: 8000, visitMs: 20000 }',
    `models: { default: ${opts.model} }`,
    `redis: { url: "${job.redisUrl}", prefix: ${prefix} }`,
    'api: { host: 127.0.0.1, port: 0 }',
    `storage: { dir: "${storage}" }`,
  ].join('\n');
}

async function measure(job: ChildJob): Promise<Row> {
  const s = parseSetting(job.setting);
  const prefix = `wtp${job.set}r${job.round}${s.name.replace(/\W/g, '')}${process.pid}`;
  const storage = join(job.dir, prefix);
  const config = parseConfig(configText(job, s, prefix, storage), join(job.dir, `${prefix}.yaml`));
  const running = await startGridworker({ config, configDir: job.dir, roles: ['scheduler', 'worker', 'api'], redisUrl: job.redisUrl, apiPort: 0, frameScaling: s.scaleIn, ffmpegSpawnFrom: s.spawnFrom, ...(s.outboxPollMs === undefined ? {} : { outboxPollEveryMs: s.outboxPollMs }) });
  const done: VisitRecord[] = [];
  let measuring = false;
  running.worker!.on('visit', (v) => {
    if (measuring) done.push(v);
  });
  const pool = await detectorChildren();
  const cpu = async (): Promise<{ ffmpeg: number; process: number }> => {
    const self = await procCpuS('self');
    const detectors = await Promise.all(pool.map((d) => procCpuS(d.pid)));
    const spawnerPid = sharedSpawner().pid;
    const spawner = spawnerPid === undefined ? { own: 0, children: 0 } : await procCpuS(spawnerPid);
    // Reaped children of this process, or of the spawner process, are the ffmpeg runs (detector
    // processes and the spawner live until close); the spawner's own forking counts as the process's.
    return { ffmpeg: self.children + spawner.children, process: self.own + spawner.own + detectors.reduce((a, d) => a + d.own, 0) };
  };
  const delay = new LoopLatenessMonitor();
  try {
    await new Promise((r) => setTimeout(r, opts.warmup * 1000));
    const c0 = await cpu();
    const s0 = await mainThreadSched();
    const w0 = performance.now();
    delay.start();
    measuring = true;
    const control = controlLoopDelay(opts.seconds);
    const profiler = opts.cpuProf ? await startProfiler() : undefined;
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gc.observe({ entryTypes: ['gc'] });
    await new Promise((r) => setTimeout(r, opts.seconds * 1000));
    measuring = false;
    const late = delay.stop();
    const s1 = await mainThreadSched();
    const windowS = (performance.now() - w0) / 1000;
    gc.disconnect();
    if (profiler) await profiler(join(opts.cpuProf!, `${job.set}-${s.name.replace(/\W/g, '_')}-r${job.round}`));
    const idle = await control;
    const c1 = await cpu();
    const ok = done.filter((v) => v.ok);
    const n = Math.max(1, done.length);
    const ffmpegPer = (c1.ffmpeg - c0.ffmpeg) / n;
    const processPer = (c1.process - c0.process) / n;
    const ceiling = (cores * 60) / (ffmpegPer + processPer);
    const perMinute = (ok.length * 60) / opts.seconds;
    return {
      set: job.set,
      setting: s.name,
      round: job.round,
      detectorProcesses: pool.length,
      detectorNice: pool[0]?.nice ?? 0,
      visitsInFlight: running.worker!.slots,
      visits: ok.length,
      visitsPerMinute: Number(perMinute.toFixed(1)),
      medianVisitS: Number((median(ok.map((v) => v.finishedAt - v.startedAt)) / 1000).toFixed(2)),
      medianFirstFrameS: Number((median(ok.map((v) => v.firstFrameMs ?? 0)) / 1000).toFixed(2)),
      ffmpegCpuSPerVisit: Number(ffmpegPer.toFixed(3)),
      processCpuSPerVisit: Number(processPer.toFixed(3)),
      ceilingPerMinute: Number(ceiling.toFixed(0)),
      ofCeiling: Number((perMinute / ceiling).toFixed(2)),
      eventLoopP99Ms: late.p99Ms,
      eventLoopMaxMs: late.maxMs,
      eventLoopP99At1MsMs: late.p99At1MsMs,
      eventLoopP99At10MsRawMs: late.p99At10MsRawMs,
      mainRunMsPerS: Number(((s1.runMs - s0.runMs) / windowS).toFixed(1)),
      mainRunQueueMsPerS: Number(((s1.waitMs - s0.waitMs) / windowS).toFixed(1)),
      gcMsPerVisit: Number((gcMs / n).toFixed(1)),
      idleControlLoopP99Ms: idle.p99Ms,
      idleControlLoopP99At1MsMs: idle.p99At1MsMs,
      idleControlLoopP99At10MsRawMs: idle.p99At10MsRawMs,
      load1: Number(loadavg()[0]!.toFixed(2)),
    };
  } finally {
    running.beginShutdown();
    await running.close();
  }
}

/** Runs one measurement in a child process (same flags) and returns its row. */
function measureInChild(job: ChildJob): Promise<Row> {
  const prof = opts.cpuProf ? ['--cpu-prof', opts.cpuProf] : [];
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--seconds', String(opts.seconds), '--warmup', String(opts.warmup), '--cameras', String(opts.cameras), '--model', opts.model, ...prof, '--child', JSON.stringify(job)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Row) : reject(new Error(`measurement ${job.set} ${job.setting} exited with ${code}`))));
  });
}

if (opts.child) {
  process.stdout.write(JSON.stringify(await measure(JSON.parse(opts.child) as ChildJob)));
  process.exit(0);
}

const redis = await startLocalRedis();
const servers = new Map<string, RtspTestServer>();
const dir = await mkdtemp(join(tmpdir(), 'gw-worker-tp-'));
const sets = opts.sets.split(',').map((s) => s.trim());
const settings = opts.settings.split(',').map((s) => parseSetting(s.trim()));
const rows: Row[] = [];
try {
  for (const set of sets) {
    if (set !== '640' && set !== '1080') throw new Error(`--sets: unknown set "${set}" (640 or 1080)`);
    const streams = set === '640' ? DEFAULT_STREAMS : HD_STREAMS;
    servers.set(set, await startRtspServer({ streams, auth: null }));
  }
  process.stderr.write(`${cores} cores (${cpus()[0]?.model ?? '?'}), load before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  for (let round = 1; round <= opts.rounds; round++) {
    for (const set of sets) {
      for (const s of settings) {
        const server = servers.get(set)!;
        const urls = server.paths.filter((p) => p !== 'secure').map((p) => server.url(p));
        const row = await measureInChild({ set, setting: s.name, round, urls, redisUrl: redis.url, dir });
        rows.push(row);
        process.stderr.write(`round ${round} ${set} ${s.name}: ${row.visitsPerMinute} visits/min, loop lateness p99 ${row.eventLoopP99Ms} ms (idle control ${row.idleControlLoopP99Ms} ms; at a 1 ms period ${row.eventLoopP99At1MsMs} / ${row.idleControlLoopP99At1MsMs} ms; raw at 10 ms ${row.eventLoopP99At10MsRawMs} ms), main thread ${row.mainRunMsPerS} ms/s on a core and ${row.mainRunQueueMsPerS} ms/s waiting for one, load ${row.load1}\n`);
      }
    }
  }
  const summary = sets.flatMap((set) =>
    settings.map((s) => {
      const mine = rows.filter((r) => r.set === set && r.setting === s.name);
      const avg = (f: (r: Row) => number): number => mine.reduce((a, r) => a + f(r), 0) / mine.length;
      return {
        set,
        setting: s.name,
        detectorProcesses: mine[0]!.detectorProcesses,
        detectorNice: mine[0]!.detectorNice,
        visitsInFlight: mine[0]!.visitsInFlight,
        visitsPerMinute: Number(avg((r) => r.visitsPerMinute).toFixed(1)),
        medianVisitS: Number(avg((r) => r.medianVisitS).toFixed(2)),
        medianFirstFrameS: Number(avg((r) => r.medianFirstFrameS).toFixed(2)),
        ffmpegCpuSPerVisit: Number(avg((r) => r.ffmpegCpuSPerVisit).toFixed(3)),
        processCpuSPerVisit: Number(avg((r) => r.processCpuSPerVisit).toFixed(3)),
        ceilingPerMinute: Number(avg((r) => r.ceilingPerMinute).toFixed(0)),
        ofCeiling: Number(avg((r) => r.ofCeiling).toFixed(2)),
        eventLoopP99Ms: Number(Math.max(...mine.map((r) => r.eventLoopP99Ms)).toFixed(1)),
        eventLoopP99At1MsMs: Number(Math.max(...mine.map((r) => r.eventLoopP99At1MsMs)).toFixed(1)),
        eventLoopP99At10MsRawMs: Number(Math.max(...mine.map((r) => r.eventLoopP99At10MsRawMs)).toFixed(1)),
        mainRunMsPerS: Number(avg((r) => r.mainRunMsPerS).toFixed(1)),
        mainRunQueueMsPerS: Number(avg((r) => r.mainRunQueueMsPerS).toFixed(1)),
        gcMsPerVisit: Number(avg((r) => r.gcMsPerVisit).toFixed(1)),
        idleControlLoopP99Ms: Number(Math.max(...mine.map((r) => r.idleControlLoopP99Ms)).toFixed(1)),
        idleControlLoopP99At1MsMs: Number(Math.max(...mine.map((r) => r.idleControlLoopP99At1MsMs)).toFixed(1)),
        idleControlLoopP99At10MsRawMs: Number(Math.max(...mine.map((r) => r.idleControlLoopP99At10MsRawMs)).toFixed(1)),
        load1: Number(avg((r) => r.load1).toFixed(1)),
      };
    }),
  );
  const base = (set: string): number => summary.find((r) => r.set === set)!.visitsPerMinute;
  process.stdout.write(
    `${formatTable(
      ['set', 'setting', 'detector procs', 'their nice', 'in flight', 'visits/min', 'x first', 'visit s', '1st frame s', 'ffmpeg cpu s/visit', 'process cpu s/visit', 'ceiling/min', 'of ceiling', 'loop late p99 ms', 'idle late p99 ms', 'late p99 @1ms', 'idle @1ms', 'raw@10ms p99', 'main on cpu ms/s', 'main run-queue ms/s', 'gc ms/visit', 'load'],
      summary.map((r) => [r.set, r.setting, r.detectorProcesses, r.detectorNice, r.visitsInFlight, r.visitsPerMinute, (r.visitsPerMinute / base(r.set)).toFixed(2), r.medianVisitS, r.medianFirstFrameS, r.ffmpegCpuSPerVisit, r.processCpuSPerVisit, r.ceilingPerMinute, r.ofCeiling, r.eventLoopP99Ms, r.idleControlLoopP99Ms, r.eventLoopP99At1MsMs, r.idleControlLoopP99At1MsMs, r.eventLoopP99At10MsRawMs, r.mainRunMsPerS, r.mainRunQueueMsPerS, r.gcMsPerVisit, r.load1]),
    )}\n(${cores} cores, ${opts.rounds} round(s) x ${opts.seconds} s per setting, interleaved; ${opts.cameras} cameras, 3 frames 500 ms apart, ${opts.model}; load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`,
  );
  let simulation: unknown;
  if (opts.simulate) {
    simulation = summary.map((r) => ({ set: r.set, setting: r.setting, ...workersNeeded(r.visitsPerMinute, r.visitsInFlight) }));
    process.stdout.write(
      `\nworkers for 11,000 cameras (10 % key at 120 s, the rest at 900 s; p95 interval within target), from the measured visit model:\n${formatTable(
        ['set', 'setting', 'slots', 'effective visit s', 'workers'],
        (simulation as { set: string; setting: string; effectiveVisitS: number; workers: number | null }[]).map((s, i) => [s.set, s.setting, summary[i]!.visitsInFlight, s.effectiveVisitS, s.workers ?? '> 64']),
      )}\nsame as: gridworker simulate --cameras 11000 --workers W --slots-per-worker <slots> --visit-ms-median <effective visit s x 1000> --hours 1\n`,
    );
  }
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ cores, seconds: opts.seconds, rounds: opts.rounds, model: opts.model, rows, summary, simulation }, null, 2)}\n`);
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  for (const s of servers.values()) await s.close();
  await redis.close();
  await rm(dir, { recursive: true, force: true });
}
