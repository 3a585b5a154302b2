/**
 * Does feeding the camera URL through ffmpeg's stdin (an ffconcat script, streams/stdin-input.ts)
 * slow the first frame compared with the URL on the command line? With `--compare spawner`: does
 * starting ffmpeg from the spawner process (streams/ffmpeg-spawner.ts: one IPC hop, two socket
 * connections) slow it compared with forking it from this (small) process? Benchmark, not a test.
 *
 * Against the GStreamer RTSP test server, one 1920x1080 H.264 25 fps camera with a 1 s GOP behind
 * digest authentication. Each pair starts one visit of each kind at the same instant on the same
 * stream, so both wait for the same keyframe and the paired difference is the mechanism's cost
 * alone; which one is spawned first alternates. A random pause of up to one GOP before each pair
 * spreads the join point. The noise is the spread (interquartile range) of the paired differences.
 *
 *   npx tsx scripts/bench/credentials-first-frame.ts [--pairs 24] [--compare credentials|spawner]
 *       [--out bench-results/credentials-first-frame.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { type RtspAuth, startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { cocoImage } from '../../test-fixtures/lib/rtsp-streams.ts';
import { type VisitOptions, prepareFfmpeg, visitCamera } from '../../streams/visit.ts';
import type { VisitPlan } from '../../streams/visit-plan.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const AUTH: RtspAuth = { path: 'cam', user: 'bench', password: 'b3nch:p@ss/word', method: 'digest' };
const plan: VisitPlan = { frames: 1, spacingMs: 0, outWidth: 640, outHeight: 640, evidence: false, timeouts: { connectMs: 8_000, firstFrameMs: 10_000, visitMs: 15_000 } };
/** The pairs compared: the first of each is the default, the second the alternative. */
const COMPARISONS: Readonly<Record<string, readonly { name: string; short: string; options: VisitOptions }[]>> = {
  credentials: [
    { name: 'stdin (ffconcat script, default)', short: 'stdin', options: {} },
    { name: 'argv (URL on the command line)', short: 'argv', options: { urlOnCommandLine: true } },
  ],
  spawner: [
    { name: 'spawner process (default)', short: 'spawner', options: {} },
    { name: 'forked by this process', short: 'self', options: { spawnFrom: 'self' } },
  ],
};

const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const opts = new Command()
    .option('--pairs <n>', 'paired visits', numberIn(2, 1000, '--pairs'), 24)
    .option('--compare <what>', 'credentials (stdin vs argv) or spawner (spawner process vs this process)', 'credentials')
    .option('--out <file>', 'JSON results (default bench-results/<compare>-first-frame.json)')
    .parse()
    .opts<{ pairs: number; compare: string; out?: string }>();
  const KINDS = COMPARISONS[opts.compare];
  if (!KINDS) throw new Error(`--compare: "${opts.compare}" is not one of ${Object.keys(COMPARISONS).join(', ')}`);
  const [a, b] = [KINDS[0]!.short, KINDS[1]!.short];
  const out = opts.out ?? join(root, 'bench-results', `${opts.compare}-first-frame.json`);
  const rtsp = await startRtspServer({ streams: [{ path: AUTH.path, source: { kind: 'pan', image: cocoImage('000000000071') }, width: 1920, height: 1080, gopSeconds: 1 }], auth: AUTH });
  try {
    await prepareFfmpeg();
    const source = { id: 'bench-cam', url: rtsp.url(AUTH.path, AUTH) };
    await visitCamera(source, plan); // warm the server's pipeline
    const first: number[][] = [[], []];
    const diffs: number[] = [];
    for (let i = 0; i < opts.pairs; i++) {
      await sleep(Math.random() * 1000);
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      const results = await Promise.all(order.map((k) => visitCamera(source, plan, undefined, KINDS[k]!.options)));
      const ms = [0, 0];
      order.forEach((k, j) => (ms[k] = results[j]!.timings.spawnMs + results[j]!.timings.firstFrameMs));
      first[0]!.push(ms[0]!);
      first[1]!.push(ms[1]!);
      diffs.push(ms[0]! - ms[1]!);
      process.stderr.write(`pair ${i + 1}/${opts.pairs}: ${a} ${round(ms[0]!)} ms, ${b} ${round(ms[1]!)} ms\n`);
    }
    const rows = KINDS.map((k, i) => [k.name, round(median(first[i]!)), round(quantile(first[i]!, 0.25)), round(quantile(first[i]!, 0.75))]);
    const noise = quantile(diffs, 0.75) - quantile(diffs, 0.25);
    const summary = {
      pairs: opts.pairs,
      medianMs: { [a]: round(median(first[0]!), 1), [b]: round(median(first[1]!), 1) },
      ratio: round(median(first[0]!) / median(first[1]!), 3),
      pairedDiffMs: { median: round(median(diffs), 1), p25: round(quantile(diffs, 0.25), 1), p75: round(quantile(diffs, 0.75), 1), iqr: round(noise, 1) },
      withinNoise: Math.abs(median(diffs)) <= noise / 2,
      load: loadavg().map((l) => round(l, 2)),
    };
    process.stdout.write(`Spawn to first frame, 1920x1080 GOP 1 s, digest auth, ${opts.pairs} paired visits\n`);
    process.stdout.write(`${formatTable([opts.compare === 'spawner' ? 'who forks ffmpeg' : 'how the URL reaches ffmpeg', 'median ms', 'p25', 'p75'], rows)}\n`);
    process.stdout.write(`paired ${a} - ${b}: median ${summary.pairedDiffMs.median} ms (p25 ${summary.pairedDiffMs.p25}, p75 ${summary.pairedDiffMs.p75}); ratio of medians ${summary.ratio}; within noise: ${summary.withinNoise}\n`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify({ compare: opts.compare, summary, firstFrameMs: { [a]: first[0], [b]: first[1] }, diffsMs: diffs }, null, 2)}\n`);
  } finally {
    await rtsp.close();
  }
}

await main();
