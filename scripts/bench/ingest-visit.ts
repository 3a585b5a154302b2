/**
 * Camera visit benchmark (not a test), against the GStreamer RTSP test server serving 1920x1080
 * H.264 at 25 fps (a still photo and a moving pan, GOP 1 s and 4 s), all in one run so that the
 * ratios compare like with like:
 *
 * 1. spawn -> first frame, median, per GOP, for ffmpeg's default flags (baseline: default probing
 *    and threading, `-vf fps,scale`) and the tuned presets. Each visit starts after a random pause
 *    of up to one GOP, so that it joins the stream at a random point of the GOP.
 * 2. The same, paired: two visits (tuned and a variant) started at the same instant on the same
 *    stream wait for the same keyframe, so their difference is the flags' doing alone (the GOP
 *    wait, which dominates single runs, cancels out).
 * 3. ffmpeg CPU (user + sys) per visit, full decoding vs keyframes only: the growth of this
 *    process's cutime + cstime (/proc/self/stat: CPU of reaped children) across a visit, visits
 *    run one at a time with nothing else spawned.
 * 4. visits per minute of one sequential visitor with a patrol-like plan, over eight cameras
 *    picked at random (each camera's GOP has its own phase; visiting one or two in a fixed
 *    rotation locks the join point to the visit length and skews the result).
 *
 *   npx tsx scripts/bench/ingest-visit.ts [--runs 16] [--seconds 45] [--out bench-results/ingest-visit.json]
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { startRtspServer } from '../../test-fixtures/lib/rtsp-server.ts';
import { cocoImage } from '../../test-fixtures/lib/rtsp-streams.ts';
import { CameraError } from '../../streams/errors.ts';
import { liveFfmpegCount } from '../../streams/ffmpeg-registry.ts';
import { type VisitOptions, prepareFfmpeg, visitCamera } from '../../streams/visit.ts';
import type { VisitPlan } from '../../streams/visit-plan.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const HD = { width: 1920, height: 1080 } as const;
const pan = { kind: 'pan', image: cocoImage('000000000071') } as const;
const still = { kind: 'still', image: cocoImage('000000000641') } as const;
/** Eight GOP-1 s cameras (half moving, half still) for the patrol, and one GOP-4 s camera. */
const PATROL = Array.from({ length: 8 }, (_, i) => ({ path: `cam${i}`, source: i % 2 ? still : pan, ...HD, gopSeconds: 1 }));
const STREAMS = [...PATROL, { path: 'pan-gop4', source: pan, ...HD, gopSeconds: 4 }];
const GOPS = [
  { name: 'gop1s', path: 'cam0', gopMs: 1000 },
  { name: 'gop4s', path: 'pan-gop4', gopMs: 4000 },
] as const;

// Generous: ffmpeg's default probing (the baseline) reads up to 5 s of a 1080p stream before it
// opens it, longer than a patrol would wait.
const timeouts = { connectMs: 12_000, firstFrameMs: 20_000, visitMs: 40_000 };
const firstFramePlan: VisitPlan = { frames: 1, spacingMs: 0, outWidth: 640, outHeight: 640, evidence: false, timeouts };
const cpuPlan: VisitPlan = { frames: 3, spacingMs: 1000, outWidth: 640, outHeight: 640, evidence: false, timeouts };
const patrolPlan: VisitPlan = { frames: 2, spacingMs: 500, outWidth: 640, outHeight: 640, evidence: true, timeouts };

interface Variant {
  readonly name: string;
  readonly options: VisitOptions;
  readonly plan: Partial<VisitPlan>;
}
const BASELINE: Variant = { name: 'baseline (ffmpeg defaults, -vf fps,scale)', options: { flags: 'baseline' }, plan: {} };
const TUNED: Variant = { name: 'tuned (defaults of ffmpeg-args.ts)', options: {}, plan: {} };
const DEC_AUTO: Variant = { name: 'tuned but decoder threads left to ffmpeg', options: { decoderThreads: 0 }, plan: {} };
const KEY: Variant = { name: 'tuned + keyframes only', options: {}, plan: { keyframesOnly: true } };
const EVIDENCE: Variant = { name: 'tuned + evidence JPEG', options: {}, plan: { evidence: true } };

/** CPU time of this process's reaped children (ms): /proc/self/stat cutime + cstime. */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0; cutime and cstime are fields 16 and 17.
  return (Number(fields[13]) + Number(fields[14])) * 10; // USER_HZ = 100 on Linux
}

const round = (n: number, digits = 0): number => Number(n.toFixed(digits));
type Url = (path: string) => string;

let failedVisits = 0;
/** Failed visits by error code. */
const failureCodes: Record<string, number> = {};
function countFailure(err: unknown): void {
  failedVisits++;
  const code = err instanceof CameraError ? err.code : 'OTHER';
  failureCodes[code] = (failureCodes[code] ?? 0) + 1;
}

/** First-frame time of one visit, NaN when it failed (counted in `failedVisits`, left out of medians). */
function firstFrameOf(url: Url, path: string, v: Variant): Promise<number> {
  return visitCamera({ id: path, url: url(path) }, { ...firstFramePlan, ...v.plan }, undefined, v.options).then(
    (r) => r.timings.firstFrameMs,
    (err: unknown) => {
      countFailure(err);
      return Number.NaN;
    },
  );
}

const ok = (xs: readonly number[]): number[] => xs.filter((x) => Number.isFinite(x));

/** Sequential visits, each after a random pause of up to one GOP: first-frame times per variant. */
async function firstFrames(url: Url, path: string, gopMs: number, variants: readonly Variant[], runs: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      await sleep(Math.random() * gopMs);
      out.get(v.name)!.push(await firstFrameOf(url, path, v));
    }
  }
  return out;
}

/** Pairs of visits started together (variant and tuned): variant minus tuned, per pair (ms). */
async function pairedDiffs(url: Url, path: string, gopMs: number, v: Variant, runs: number): Promise<number[]> {
  const diffs: number[] = [];
  for (let i = 0; i < runs; i++) {
    await sleep(Math.random() * gopMs);
    const [a, b] = await Promise.all([firstFrameOf(url, path, v), firstFrameOf(url, path, TUNED)]);
    diffs.push(a - b);
  }
  return ok(diffs);
}

async function cpuPerVisit(url: string, variants: readonly Variant[], runs: number): Promise<Map<string, { cpu: number[]; wall: number[] }>> {
  const out = new Map(variants.map((v) => [v.name, { cpu: [] as number[], wall: [] as number[] }]));
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      await sleep(Math.random() * 1000);
      const before = childCpuMs();
      try {
        const r = await visitCamera({ id: 'cpu', url }, { ...cpuPlan, ...v.plan }, undefined, v.options);
        const m = out.get(v.name)!;
        m.cpu.push(childCpuMs() - before);
        m.wall.push(r.timings.totalMs);
      } catch (err) {
        countFailure(err);
      }
    }
  }
  return out;
}

interface PatrolRun {
  visits: number;
  perMinute: number;
  failures: number;
  medianFirstFrameMs: number;
  medianTotalMs: number;
  vsBaseline?: number;
}

async function visitsPerMinute(url: Url, v: Variant, seconds: number): Promise<PatrolRun> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const first: number[] = [];
  const total: number[] = [];
  let visits = 0;
  let failures = 0;
  while (performance.now() < end) {
    const path = PATROL[Math.floor(Math.random() * PATROL.length)]!.path;
    try {
      const r = await visitCamera({ id: path, url: url(path) }, { ...patrolPlan, ...v.plan }, undefined, v.options);
      first.push(r.timings.firstFrameMs);
      total.push(r.timings.totalMs);
    } catch (err) {
      failures++;
      countFailure(err);
    }
    visits++;
  }
  const perMinute = round((visits / (performance.now() - t0)) * 60_000, 1);
  return { visits, perMinute, failures, medianFirstFrameMs: round(median(first)), medianTotalMs: round(median(total)) };
}

const program = new Command('ingest-visit')
  .option('--runs <n>', 'visits per variant and stream for each measurement', numberIn(3, 1000, '--runs'), 16)
  .option('--seconds <s>', 'duration of each visits-per-minute run', numberIn(5, 3600, '--seconds'), 45)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'ingest-visit.json'))
  .parse();
const opts = program.opts<{ runs: number; seconds: number; out: string }>();

const rtsp = await startRtspServer({ streams: STREAMS });
try {
  await prepareFfmpeg();
  const ff: Record<string, Record<string, { medianMs: number; p90Ms: number; vsBaseline: number; failed: number }>> = {};
  const paired: Record<string, Record<string, { medianDiffMs: number; p10DiffMs: number; p90DiffMs: number }>> = {};
  for (const g of GOPS) {
    const res = await firstFrames(rtsp.url, g.path, g.gopMs, [BASELINE, TUNED], opts.runs);
    const base = median(ok(res.get(BASELINE.name)!));
    ff[g.name] = Object.fromEntries(
      [...res].map(([name, all]) => {
        const xs = ok(all);
        return [name, { medianMs: round(median(xs)), p90Ms: round(quantile(xs, 0.9)), vsBaseline: round(median(xs) / base, 2), failed: all.length - xs.length }];
      }),
    );
    paired[g.name] = {};
    for (const v of [BASELINE, DEC_AUTO, KEY]) {
      const d = await pairedDiffs(rtsp.url, g.path, g.gopMs, v, opts.runs);
      paired[g.name]![v.name] = { medianDiffMs: round(median(d)), p10DiffMs: round(quantile(d, 0.1)), p90DiffMs: round(quantile(d, 0.9)) };
    }
  }
  const cpuRaw = await cpuPerVisit(rtsp.url('cam0'), [BASELINE, TUNED, DEC_AUTO, KEY, EVIDENCE], opts.runs);
  const baseCpu = median(cpuRaw.get(BASELINE.name)!.cpu);
  const cpu = Object.fromEntries(
    [...cpuRaw].map(([name, m]) => {
      const cpuMs = median(m.cpu);
      const wallMs = median(m.wall);
      return [name, { cpuMsPerVisit: round(cpuMs), wallMsPerVisit: round(wallMs), coreShareWhileVisiting: round(cpuMs / wallMs, 3), vsBaseline: round(cpuMs / baseCpu, 2) }];
    }),
  );
  const vpm: Record<string, PatrolRun> = {};
  for (const v of [BASELINE, TUNED, KEY]) vpm[v.name] = await visitsPerMinute(rtsp.url, v, opts.seconds);
  for (const v of Object.values(vpm)) v.vsBaseline = round(v.perMinute / vpm[BASELINE.name]!.perMinute, 2);

  const lines = [
    formatTable(
      ['spawn -> first frame (ms), random join', 'GOP', 'median', 'p90', 'x baseline', 'failed'],
      Object.entries(ff).flatMap(([gop, rows]) => Object.entries(rows).map(([name, r]) => [name, gop, r.medianMs, r.p90Ms, r.vsBaseline, r.failed])),
    ),
    '',
    formatTable(
      ['paired: variant minus tuned, same join (ms)', 'GOP', 'median', 'p10', 'p90'],
      Object.entries(paired).flatMap(([gop, rows]) => Object.entries(rows).map(([name, r]) => [name, gop, r.medianDiffMs, r.p10DiffMs, r.p90DiffMs])),
    ),
    '',
    formatTable(
      ['ffmpeg CPU per visit (3 frames 1 s apart, 1080p25 pan, GOP 1 s)', 'CPU ms', 'wall ms', 'core share', 'x baseline'],
      Object.entries(cpu).map(([name, r]) => [name, r.cpuMsPerVisit, r.wallMsPerVisit, r.coreShareWhileVisiting, r.vsBaseline]),
    ),
    '',
    formatTable(
      ['one sequential visitor, 8 cameras (2 frames 500 ms apart + evidence)', 'visits', 'per minute', 'first frame', 'visit ms', 'failures', 'x baseline'],
      Object.entries(vpm).map(([name, r]) => [name, r.visits, r.perMinute, r.medianFirstFrameMs, r.medianTotalMs, r.failures, r.vsBaseline ?? '-']),
    ),
    `(1920x1080 H.264 25 fps from the GStreamer RTSP test server on 127.0.0.1, ${opts.runs} visits per cell, medians; ffmpeg 5.1; ${failedVisits} visits failed and are left out: ${JSON.stringify(failureCodes)})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await mkdir(dirname(opts.out), { recursive: true });
  const report = {
    streams: STREAMS.map((s) => ({ path: s.path, kind: s.source.kind, ...HD, fps: 25, gopSeconds: s.gopSeconds })),
    runs: opts.runs,
    plans: { firstFramePlan, cpuPlan, patrolPlan },
    firstFrame: ff,
    pairedFirstFrame: paired,
    cpu,
    visitsPerMinute: vpm,
    failedVisits,
    failureCodes,
    loadAverage: loadavg(),
  };
  await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await rtsp.close();
  if (liveFfmpegCount() !== 0) process.exitCode = 1;
}
