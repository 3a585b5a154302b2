/**
 * RTSP benchmark (not a test), against the RTSP test server on 127.0.0.1:
 * 1. spawn -> first rgb24 frame on stdout for the 1 s and 4 s GOP mounts with three ffmpeg flag
 *    sets, joining the live stream at a random point (a random sleep before each run);
 * 2. the server's CPU use (% of one core) with 6 streams idle and with 6 receive-only clients,
 *    at each frame rate asked for.
 * Prints tables and writes JSON.
 *
 *   npx tsx scripts/bench/rtsp-first-frame.ts [--runs 10] [--cpu-seconds 10] [--fps 25 --fps 10]
 *        [--out bench-results/rtsp-first-frame.json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { DEFAULT_STREAMS, type RtspTestServer, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { collect, numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

const FLAG_SETS = {
  'a: default, -vf fps=2,scale': { input: [], output: ['-vf', 'fps=2,scale=640:-2'] },
  'b: probesize 32, analyzeduration 0, scale, -r 2': { input: ['-probesize', '32', '-analyzeduration', '0'], output: ['-vf', 'scale=640:-2', '-r', '2'] },
  'c: b + -skip_frame nokey': { input: ['-probesize', '32', '-analyzeduration', '0', '-skip_frame', 'nokey'], output: ['-vf', 'scale=640:-2', '-r', '2'] },
} as const;
const MOUNTS = [{ path: 'street-bus', gopSeconds: 1 }, { path: 'gop4', gopSeconds: 4 }] as const;

/** Spawn -> first byte of the first frame on stdout (ffmpeg writes a frame in one go), or ffmpeg's stderr when no frame came. */
async function firstFrame(url: string, flags: { input: readonly string[]; output: readonly string[] }): Promise<{ ms: number } | { error: string }> {
  const args = ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '5000000', ...flags.input, '-i', url,
    ...flags.output, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const t0 = performance.now();
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let first: number | null = null;
  let stderr = '';
  child.stdout.on('data', () => (first ??= performance.now() - t0));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(watchdog);
  return first !== null ? { ms: first } : { error: `exit ${code}: ${stderr.trim().split('\n').slice(-2).join(' / ')}` };
}

interface FirstFrameRow {
  flags: string;
  mount: string;
  gopSeconds: number;
  runs: number;
  failures: number;
  /** ffmpeg's last stderr lines of each run without a frame. */
  errors: string[];
  medianMs: number;
  minMs: number;
  p90Ms: number;
  maxMs: number;
}

async function benchFirstFrames(server: RtspTestServer, runs: number): Promise<FirstFrameRow[]> {
  const times = new Map<string, number[]>();
  const errors = new Map<string, string[]>();
  // Interleaved (run i of every case before run i+1) so that machine load hits all cases alike.
  for (let i = 0; i < runs; i++) {
    for (const [name, flags] of Object.entries(FLAG_SETS)) {
      for (const mount of MOUNTS) {
        await sleep(Math.random() * mount.gopSeconds * 1000); // a random point of the GOP
        const key = `${name}|${mount.path}`;
        const result = await firstFrame(server.url(mount.path), flags);
        if ('ms' in result) times.set(key, [...(times.get(key) ?? []), result.ms]);
        else errors.set(key, [...(errors.get(key) ?? []), result.error]);
      }
    }
  }
  const round = (x: number): number => Math.round(x);
  return Object.keys(FLAG_SETS).flatMap((name) =>
    MOUNTS.map((mount) => {
      const xs = times.get(`${name}|${mount.path}`) ?? [];
      const failed = errors.get(`${name}|${mount.path}`) ?? [];
      return {
        flags: name, mount: mount.path, gopSeconds: mount.gopSeconds, runs, failures: failed.length, errors: failed,
        medianMs: round(median(xs)), minMs: round(Math.min(...xs)), p90Ms: round(quantile(xs, 0.9)), maxMs: round(Math.max(...xs)),
      };
    }),
  );
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function cpuPercent(pid: number, seconds: number): Promise<number> {
  const c0 = await cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return Math.round(((await cpuSeconds(pid)) - c0) / ((performance.now() - t0) / 1000) * 1000) / 10;
}

interface CpuRow {
  fps: number;
  streams: number;
  idlePercent: number;
  clients: number;
  withClientsPercent: number;
  /** Bytes the clients received per second, all together (MB/s). */
  receivedMBps: number;
}

async function benchCpu(fps: number, seconds: number): Promise<CpuRow> {
  const streams = DEFAULT_STREAMS.filter((s) => s.path !== 'secure').map((s) => ({ ...s, fps }));
  const server = await startRtspServer({ streams });
  const clients: ChildProcess[] = [];
  try {
    await sleep(1000);
    const idlePercent = await cpuPercent(server.pid, seconds);
    let received = 0;
    for (const path of server.paths) {
      // Receive only (-c copy): this measures the server, not the clients' decoding.
      const child = spawn('ffmpeg', ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-timeout', '5000000', '-i', server.url(path), '-c', 'copy', '-f', 'h264', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout?.on('data', (d: Buffer) => (received += d.length));
      clients.push(child);
    }
    await sleep(2000);
    const r0 = received;
    const t0 = performance.now();
    const withClientsPercent = await cpuPercent(server.pid, seconds);
    const receivedMBps = Math.round(((received - r0) / ((performance.now() - t0) / 1000) / 1e6) * 100) / 100;
    return { fps, streams: streams.length, idlePercent, clients: clients.length, withClientsPercent, receivedMBps };
  } finally {
    for (const c of clients) c.kill('SIGTERM');
    await Promise.all(clients.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'close') : undefined)));
    await server.close();
  }
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--runs <n>', 'runs per mount and flag set', numberIn(1, 1000, '--runs'), 10)
    .option('--cpu-seconds <s>', 'length of each CPU measurement (s)', numberIn(1, 600, '--cpu-seconds'), 10)
    .option('--fps <n>', 'stream frame rate for the CPU measurement (repeatable)', collect, [])
    .option('--out <file>', 'JSON output', 'bench-results/rtsp-first-frame.json')
    .parse()
    .opts<{ runs: number; cpuSeconds: number; fps: string[]; out: string }>();
  const fpsList = opts.fps.length ? opts.fps.map(numberIn(1, 60, '--fps')) : [25, 10];
  const print = (text: string): boolean => process.stdout.write(`${text}\n`);

  const server = await startRtspServer();
  let firstFrames: FirstFrameRow[];
  try {
    firstFrames = await benchFirstFrames(server, opts.runs);
  } finally {
    await server.close();
  }
  print(`spawn -> first rgb24 frame (ms), ${opts.runs} runs each at random join times, ffmpeg over TCP\n`);
  print(formatTable(['flags', 'mount', 'GOP s', 'median', 'min', 'p90', 'max', 'failed'],
    firstFrames.map((r) => [r.flags, r.mount, r.gopSeconds, r.medianMs, r.minMs, r.p90Ms, r.maxMs, r.failures])));
  for (const r of firstFrames) for (const e of r.errors) print(`  no frame (${r.flags}, ${r.mount}): ${e}`);

  const cpu: CpuRow[] = [];
  for (const fps of fpsList) cpu.push(await benchCpu(fps, opts.cpuSeconds));
  print(`\nserver CPU (% of one core, ${opts.cpuSeconds} s each)\n`);
  print(formatTable(['fps', 'streams', 'idle %', 'clients', 'with clients %', 'received MB/s'],
    cpu.map((r) => [r.fps, r.streams, r.idlePercent, r.clients, r.withClientsPercent, r.receivedMBps])));

  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ createdAt: new Date().toISOString(), runs: opts.runs, firstFrames, cpu }, null, 2)}\n`);
  print(`\nwrote ${opts.out}`);
}

await main();
