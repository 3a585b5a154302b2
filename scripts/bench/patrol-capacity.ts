/**
 * Patrol capacity benchmark (not a test): runs the patrol simulation (the real PatrolScheduler on
 * a simulated clock) for several worker counts and reports the capacity at which revisit targets
 * start to be missed: the smallest W with key p95 <= key target and normal p95 <= normal target,
 * refined by bisection between the listed counts. Prints a table and writes JSON.
 *
 *   npx tsx scripts/bench/patrol-capacity.ts [--workers 10,20,40,60,80,120] [--cameras 10000]
 *        [--key-fraction 0.1] [--key-target 120] [--target 900] [--hours 2] [--seed 1]
 *        [--no-refine] [--out bench-results/patrol-capacity.json]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { type SimulationOptions, type SimulationReport, simulatePatrol } from '../../pipeline/patrol/simulation/simulate-patrol.ts';
import { DEFAULT_VISIT_MODEL } from '../../pipeline/patrol/simulation/visit-model.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');

interface Flags {
  workers: number[];
  cameras: number;
  keyFraction: number;
  keyTarget: number;
  target: number;
  hours: number;
  seed: number;
  refine: boolean;
  out: string;
}

function workerList(value: string): number[] {
  const list = value.split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`--workers must be a comma-separated list of positive integers, got "${value}"`);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** Whether a run meets the key and normal targets at the 95th percentile. */
function meets(r: SimulationReport): boolean {
  return r.perPriority.every((p) => p.priority === 'low' || p.p95S <= p.targetS);
}

function row(r: SimulationReport): (string | number)[] {
  const p = (name: string): SimulationReport['perPriority'][number] | undefined => r.perPriority.find((x) => x.priority === name);
  const cells = (name: string): (string | number)[] => {
    const x = p(name);
    return x ? [x.medianS, x.p95S, x.maxS] : ['-', '-', '-'];
  };
  return [r.workers, r.slots, (r.utilization * 100).toFixed(1), ...cells('key'), ...cells('normal'), r.decisionCostUs.median, r.decisionCostUs.p99, meets(r) ? 'yes' : 'no'];
}

async function main(flags: Flags): Promise<void> {
  const base: Omit<SimulationOptions, 'workers'> = {
    cameras: flags.cameras,
    keyFraction: flags.keyFraction,
    targets: { key: flags.keyTarget, normal: flags.target, low: 1800 },
    durationS: flags.hours * 3600,
    seed: flags.seed,
  };
  const runs = new Map<number, SimulationReport>();
  const run = (workers: number): SimulationReport => {
    let r = runs.get(workers);
    if (!r) {
      r = simulatePatrol({ ...base, workers });
      runs.set(workers, r);
      process.stderr.write(`W=${workers}: ${meets(r) ? 'meets targets' : 'misses targets'}\n`);
    }
    return r;
  };
  for (const w of flags.workers) run(w);
  let capacity = flags.workers.find((w) => meets(run(w))) ?? null;
  if (flags.refine && capacity !== null) {
    let lo = [...flags.workers].reverse().find((w) => w < capacity!) ?? 0; // misses (or none)
    let hi = capacity;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (meets(run(mid))) hi = mid;
      else lo = mid;
    }
    capacity = hi;
  }
  const sorted = [...runs.values()].sort((a, b) => a.workers - b.workers);
  const header = ['W', 'slots', 'util %', 'key med s', 'key p95 s', 'key max s', 'normal med s', 'normal p95 s', 'normal max s', 'decision med us', 'decision p99 us', 'meets'];
  process.stdout.write(`${flags.cameras} cameras (${flags.keyFraction * 100} % key), targets key ${flags.keyTarget} s / normal ${flags.target} s, ${flags.hours} h simulated\n`);
  process.stdout.write(`${formatTable(header, sorted.map(row))}\n`);
  process.stdout.write(
    capacity === null
      ? 'capacity: no listed worker count meets the targets\n'
      : `capacity: targets are met from W = ${capacity} workers (${runs.get(capacity)?.slots} slots); below that they start to be missed\n`,
  );
  const doc = {
    tool: 'scripts/bench/patrol-capacity.ts',
    createdAt: new Date().toISOString(),
    rule: 'capacity = smallest W with key p95 <= key target and normal p95 <= normal target',
    settings: { ...base, slotsPerWorker: 2, visit: DEFAULT_VISIT_MODEL, starvationFactor: 3, leadFraction: 0.02 },
    capacityWorkers: capacity,
    runs: sorted,
  };
  await mkdir(dirname(flags.out), { recursive: true });
  await writeFile(flags.out, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`wrote ${flags.out}\n`);
}

const program = new Command('patrol-capacity')
  .option('--workers <list>', 'worker counts to simulate', workerList, [10, 20, 40, 60, 80, 120])
  .option('--cameras <n>', 'cameras', numberIn(1, 1_000_000, '--cameras'), 10_000)
  .option('--key-fraction <f>', 'share of key cameras', numberIn(0, 1, '--key-fraction'), 0.1)
  .option('--key-target <s>', 'key revisit target, s', numberIn(1, 86_400, '--key-target'), 120)
  .option('--target <s>', 'normal revisit target, s', numberIn(1, 86_400, '--target'), 900)
  .option('--hours <h>', 'simulated hours per run', numberIn(0.01, 168, '--hours'), 2)
  .option('--seed <n>', 'random seed', numberIn(0, 2 ** 31, '--seed'), 1)
  .option('--no-refine', 'do not bisect between the listed worker counts')
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'patrol-capacity.json'));
program.parse();
await main(program.opts<Flags>());
