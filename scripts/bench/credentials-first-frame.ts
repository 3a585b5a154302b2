/**
 * Does feeding the camera URL through ffmpeg's stdin (an ffconcat script, streams/stdin-input.ts)
 * slow the first frame compared with the URL on the command line? Benchmark, not a test.
 *
 * Against the GStreamer RTSP test server, one 1920x1080 H.264 25 fps camera with a 1 s GOP behind
 * digest authentication. Each pair starts one visit of each kind at the same instant on the same
 * stream, so both wait for the same keyframe and the paired difference is the mechanism's cost
 * alone; which one is spawned first alternates. A random pause of up to one GOP before each pair
 * spreads the join point. The noise is the spread (interquartile range) of the paired differences.
 *
 *   npx tsx scripts/bench/credentials-first-frame.ts [--pairs 24] [--out bench-results/credentials-first-frame.json]
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
const KINDS: readonly { name: string; options: VisitOptions }[] = [
  { name: 'stdin (ffconcat script, default)', options: {} },
  { name: 'argv (URL on the command line)', options: { urlOnCommandLine: true } },
];

const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const opts = new Command()
    .option('--pairs <n>', 'paired visits', numberIn(2, 1000, '--pairs'), 24)
    .option('--out <file>', 'JSON results', join(root, 'bench-results', 'credentials-first-frame.json'))
    .parse()
    .opts<{ pairs: number; out: string }>();
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
      process.stderr.write(`pair ${i + 1}/${opts.pairs}: stdin ${round(ms[0]!)} ms, argv ${round(ms[1]!)} ms\n`);
    }
    const rows = KINDS.map((k, i) => [k.name, round(median(first[i]!)), round(quantile(first[i]!, 0.25)), round(quantile(first[i]!, 0.75))]);
    const noise = quantile(diffs, 0.75) - quantile(diffs, 0.25);
    const summary = {
      pairs: opts.pairs,
      medianMs: { stdin: round(median(first[0]!), 1), argv: round(median(first[1]!), 1) },
      ratioStdinToArgv: round(median(first[0]!) / median(first[1]!), 3),
      pairedDiffMs: { median: round(median(diffs), 1), p25: round(quantile(diffs, 0.25), 1), p75: round(quantile(diffs, 0.75), 1), iqr: round(noise, 1) },
      withinNoise: Math.abs(median(diffs)) <= noise / 2,
      load: loadavg().map((l) => round(l, 2)),
    };
    process.stdout.write(`Spawn to first frame, 1920x1080 GOP 1 s, digest auth, ${opts.pairs} paired visits\n`);
    process.stdout.write(`${formatTable(['how the URL reaches ffmpeg', 'median ms', 'p25', 'p75'], rows)}\n`);
    process.stdout.write(`paired stdin - argv: median ${summary.pairedDiffMs.median} ms (p25 ${summary.pairedDiffMs.p25}, p75 ${summary.pairedDiffMs.p75}); ratio of medians ${summary.ratioStdinToArgv}; within noise: ${summary.withinNoise}\n`);
    await mkdir(dirname(opts.out), { recursive: true });
    await writeFile(opts.out, `${JSON.stringify({ summary, firstFrameMs: { stdin: first[0], argv: first[1] }, diffsMs: diffs }, null, 2)}\n`);
  } finally {
    await rtsp.close();
  }
}

await main();
