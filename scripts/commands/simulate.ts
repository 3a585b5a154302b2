import type { Command } from 'commander';
import { type SimulationOptions, type SimulationReport, simulatePatrol } from '../../pipeline/patrol/simulation/simulate-patrol.ts';
import { DEFAULT_VISIT_MODEL } from '../../pipeline/patrol/simulation/visit-model.ts';
import { formatTable } from '../bench/stats.ts';
import { numberIn } from './model-options.ts';

interface SimulateFlags {
  cameras: number;
  workers: number;
  slotsPerWorker: number;
  keyFraction: number;
  lowFraction: number;
  keyTarget: number;
  target: number;
  lowTarget: number;
  hours: number;
  warmupS?: number;
  visitMsMedian?: number;
  connectMs: number;
  connectMsLongGop: number;
  longGopFraction: number;
  frames: number;
  spacingMs: number;
  inferMs: number;
  offlineFraction: number;
  failMs: number;
  starvationFactor: number;
  leadFraction: number;
  seed: number;
  json?: boolean;
}

/** The simulation options `simulate` flags stand for. */
export function simulationOptions(f: SimulateFlags): SimulationOptions {
  return {
    cameras: f.cameras,
    workers: f.workers,
    slotsPerWorker: f.slotsPerWorker,
    keyFraction: f.keyFraction,
    lowFraction: f.lowFraction,
    targets: { key: f.keyTarget, normal: f.target, low: f.lowTarget },
    durationS: f.hours * 3600,
    ...(f.warmupS !== undefined ? { warmupS: f.warmupS } : {}),
    starvationFactor: f.starvationFactor,
    leadFraction: f.leadFraction,
    visit: {
      connectMs: f.connectMs,
      connectMsLongGop: f.connectMsLongGop,
      longGopFraction: f.longGopFraction,
      frames: f.frames,
      spacingMs: f.spacingMs,
      inferMs: f.inferMs,
      offlineFraction: f.offlineFraction,
      failMs: f.failMs,
      ...(f.visitMsMedian !== undefined ? { visitMsMedian: f.visitMsMedian } : {}),
    },
    seed: f.seed,
  };
}

/** The text rendering of a simulation report. */
export function formatSimulation(r: SimulationReport): string {
  const rows = r.perPriority.map((p) => [p.priority, p.cameras, p.targetS, p.medianS, p.p95S, p.maxS, p.intervals]);
  return [
    `${r.cameras} cameras, ${r.workers} workers (${r.slots} slots), ${r.simulatedS / 3600} h simulated, warm-up ${r.warmupS} s; ` +
      `visits ok ${r.visits.ok}, failed ${r.visits.failed}; slot utilization ${(r.utilization * 100).toFixed(1)} %`,
    formatTable(['priority', 'cameras', 'target s', 'median s', 'p95 s', 'max s', 'intervals'], rows),
    `scheduler decision cost: median ${r.decisionCostUs.median} us, p99 ${r.decisionCostUs.p99} us`,
  ].join('\n');
}

/** Runs `simulate`; resolves to the exit code. */
export function runSimulate(flags: SimulateFlags): number {
  const report = simulatePatrol(simulationOptions(flags));
  process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatSimulation(report)}\n`);
  return 0;
}

const int = (min: number, max: number, what: string) => {
  const parse = numberIn(min, max, what);
  return (v: string): number => Math.round(parse(v));
};

/** `gridworker simulate`. */
export function registerSimulate(program: Command): void {
  const d = DEFAULT_VISIT_MODEL;
  program
    .command('simulate')
    .description('run the patrol scheduler against a simulated clock and report achieved revisit intervals and decision cost')
    .requiredOption('--workers <n>', 'workers', int(1, 100_000, '--workers'))
    .option('--cameras <n>', 'cameras', int(1, 1_000_000, '--cameras'), 10_000)
    .option('--slots-per-worker <n>', 'visits in flight per worker', int(1, 64, '--slots-per-worker'), 2)
    .option('--key-fraction <f>', 'share of key cameras 0-1', numberIn(0, 1, '--key-fraction'), 0.1)
    .option('--low-fraction <f>', 'share of low cameras 0-1', numberIn(0, 1, '--low-fraction'), 0)
    .option('--key-target <s>', 'key revisit target, s', numberIn(1, 86_400, '--key-target'), 120)
    .option('--target <s>', 'normal revisit target, s', numberIn(1, 86_400, '--target'), 900)
    .option('--low-target <s>', 'low revisit target, s', numberIn(1, 86_400, '--low-target'), 1800)
    .option('--hours <h>', 'simulated time, hours', numberIn(0.01, 168, '--hours'), 2)
    .option('--warmup-s <s>', 'not measured before this, s (default: 2 x the longest target, at most half the run)', numberIn(0, 604_800, '--warmup-s'))
    .option('--visit-ms-median <ms>', 'draw every online visit around this median instead of the connect/frames model', numberIn(1, 600_000, '--visit-ms-median'))
    .option('--connect-ms <ms>', 'median connect + first frame, 1 s GOP', numberIn(0, 120_000, '--connect-ms'), d.connectMs)
    .option('--connect-ms-long-gop <ms>', 'median connect + first frame, 4 s GOP', numberIn(0, 120_000, '--connect-ms-long-gop'), d.connectMsLongGop)
    .option('--long-gop-fraction <f>', 'share of long-GOP cameras 0-1', numberIn(0, 1, '--long-gop-fraction'), d.longGopFraction)
    .option('--frames <n>', 'frames per visit', int(1, 30, '--frames'), d.frames)
    .option('--spacing-ms <ms>', 'time between frames, ms', numberIn(0, 10_000, '--spacing-ms'), d.spacingMs)
    .option('--infer-ms <ms>', 'inference per frame, ms', numberIn(0, 10_000, '--infer-ms'), d.inferMs)
    .option('--offline-fraction <f>', 'share of cameras offline all run 0-1', numberIn(0, 1, '--offline-fraction'), d.offlineFraction)
    .option('--fail-ms <ms>', 'median time for a visit to an offline camera to fail', numberIn(0, 120_000, '--fail-ms'), d.failMs)
    .option('--starvation-factor <x>', 'serve any camera unvisited for x targets first', numberIn(1, 100, '--starvation-factor'), 3)
    .option('--lead-fraction <f>', 'cameras fall due this fraction of their target early (margin for waiting on a slot)', numberIn(0, 0.5, '--lead-fraction'), 0.02)
    .option('--seed <n>', 'random seed', int(0, 2 ** 31, '--seed'), 1)
    .option('--json', 'print one JSON document instead of a table')
    .action((flags: SimulateFlags) => {
      process.exitCode = runSimulate(flags);
    });
}
