/**
 * Child niceness benchmark (not a test): how late this process's event loop wakes while CPU-bound
 * children (one per core, each spinning like a detector process at full load) saturate the cores,
 * with the children at this process's priority (`nice 0`) and lowered by `patrol.childNice`'s
 * default through `lowerPriority` (`nice 10`), interleaved round by round. The same measurement
 * as worker-throughput.ts (loop-lateness.ts; the main thread's run-queue wait from schedstat),
 * without ffmpeg, Redis or the database: the OS's part alone.
 *
 *   npx tsx scripts/bench/child-nice.ts [--seconds 10] [--rounds 3] [--children 2] [--nice 10]
 *       [--out bench-results/child-nice.json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, getPriority, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { lowerPriority } from '../../models/lower-priority.ts';
import { numberIn } from '../commands/model-options.ts';
import { LoopLatenessMonitor } from './loop-lateness.ts';
import { formatTable, median } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('child-nice')
  .option('--seconds <n>', 'measured seconds per setting and round', numberIn(2, 600, '--seconds'), 10)
  .option('--rounds <n>', 'rounds (each runs both settings, in turn)', numberIn(1, 20, '--rounds'), 3)
  .option('--children <n>', 'CPU-bound children', numberIn(1, 64, '--children'), availableParallelism())
  .option('--nice <n>', 'niceness added to the children in the lowered setting', numberIn(1, 19, '--nice'), 10)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'child-nice.json'))
  .parse();
const opts = program.opts<{ seconds: number; rounds: number; children: number; nice: number; out: string }>();

/** Main thread on a core and waiting for one, ms (schedstat). */
async function sched(): Promise<{ run: number; wait: number }> {
  const [run = 0, wait = 0] = (await readFile(`/proc/self/task/${process.pid}/schedstat`, 'utf8')).trim().split(' ').map(Number);
  return { run: run / 1e6, wait: wait / 1e6 };
}

interface Row {
  nice: number;
  round: number;
  p99Ms: number;
  maxMs: number;
  p99At1MsMs: number;
  p99At10MsRawMs: number;
  runQueueMsPerS: number;
  load1: number;
}

async function measure(nice: number, round: number): Promise<Row> {
  const children: ChildProcess[] = Array.from({ length: opts.children }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    for (const c of children) {
      const refused = c.pid === undefined ? new Error('a child did not start') : lowerPriority(c.pid, nice);
      if (refused) throw refused;
    }
    await new Promise((r) => setTimeout(r, 500));
    const monitor = new LoopLatenessMonitor();
    const s0 = await sched();
    const t0 = performance.now();
    monitor.start();
    // A little work per tick, as a control loop does (a timer, a few promises).
    const end = Date.now() + opts.seconds * 1000;
    while (Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    const late = monitor.stop();
    const s1 = await sched();
    const windowS = (performance.now() - t0) / 1000;
    return { nice, round, ...late, runQueueMsPerS: Number(((s1.wait - s0.wait) / windowS).toFixed(1)), load1: Number(loadavg()[0]!.toFixed(1)) };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  }
}

const rows: Row[] = [];
process.stderr.write(`${availableParallelism()} cores, this process at nice ${getPriority()}, load before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
for (let round = 1; round <= opts.rounds; round++) {
  for (const nice of [0, opts.nice]) {
    const row = await measure(nice, round);
    rows.push(row);
    process.stderr.write(`round ${round} children +${nice}: loop lateness p99 ${row.p99Ms} ms, run-queue wait ${row.runQueueMsPerS} ms/s, load ${row.load1}\n`);
  }
}
const summary = [0, opts.nice].map((nice) => {
  const mine = rows.filter((r) => r.nice === nice);
  return {
    nice,
    p99Ms: median(mine.map((r) => r.p99Ms)),
    maxMs: median(mine.map((r) => r.maxMs)),
    p99At1MsMs: median(mine.map((r) => r.p99At1MsMs)),
    p99At10MsRawMs: median(mine.map((r) => r.p99At10MsRawMs)),
    runQueueMsPerS: median(mine.map((r) => r.runQueueMsPerS)),
  };
});
const ratio = summary[0]!.p99Ms / Math.max(0.1, summary[1]!.p99Ms);
process.stdout.write(
  `${formatTable(
    ['children', 'loop late p99 ms', 'max ms', 'late p99 @1ms', 'raw@10ms p99', 'run-queue ms/s'],
    summary.map((s) => [`+${s.nice}`, s.p99Ms, s.maxMs, s.p99At1MsMs, s.p99At10MsRawMs, s.runQueueMsPerS]),
  )}\n(medians of ${opts.rounds} rounds x ${opts.seconds} s, interleaved; ${opts.children} spinning children on ${availableParallelism()} cores; p99 at +0 / at +${opts.nice}: ${ratio.toFixed(2)}x; load at end ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`,
);
await mkdir(dirname(opts.out), { recursive: true });
await writeFile(opts.out, `${JSON.stringify({ children: opts.children, seconds: opts.seconds, rounds: opts.rounds, rows, summary }, null, 2)}\n`);
process.stdout.write(`wrote ${opts.out}\n`);
