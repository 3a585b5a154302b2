/**
 * Case intake cost per new case on the real PostgreSQL (a scratch database, dropped after): wall
 * rate, and CPU per case in this Node process and in the PostgreSQL backends serving its pool
 * (read from /proc, Linux). CPU per case moves far less than a rate when the machine is shared,
 * so it is the figure to compare between commits. Each part runs once to warm up (JIT, catalog
 * caches), then is measured. Baseline, same run: single-row INSERTs at the same concurrency.
 *
 *   npx tsx scripts/bench/intake-cpu.ts [--cases 2000] [--concurrency 8]
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { sql } from 'kysely';
import { CaseStore } from '../../pipeline/cases/case-store.ts';
import { EVIDENCE_A, TEST_TYPES, testContext, testEvent } from '../../pipeline/cases/case-test-fixtures.ts';
import { openDatabase } from '../../pipeline/db/open-database.ts';
import { createScratchDatabase } from '../../pipeline/db/scratch-database.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const opts = new Command('intake-cpu')
  .option('--cases <n>', 'new cases per measured part', numberIn(100, 1_000_000, '--cases'), 2000)
  .option('--concurrency <n>', 'parallel filers', numberIn(1, 64, '--concurrency'), 8)
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'intake-cpu.json'))
  .parse()
  .opts<{ cases: number; concurrency: number; out: string }>();

const scratch = await createScratchDatabase(undefined, 'bench');
const rec = await openDatabase({ url: scratch.url, poolSize: opts.concurrency });
const store = new CaseStore(rec.db, { eventType: (id) => TEST_TYPES.find((t) => t.id === id) });

/** Runs `fn` n times at the configured concurrency. */
const pool = async (n: number, fn: (i: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
};

/** CPU ms used so far by the given PostgreSQL backends (utime + stime; a backend gone counts 0). */
const backendCpuMs = (pids: readonly number[]): number =>
  pids.reduce((sum, pid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return sum;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return sum + ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  }, 0);

/** Warms up, then measures `fn` over opts.cases calls: rate, Node CPU and backend CPU per call. */
async function measure(fn: (i: number, round: string) => Promise<unknown>) {
  await pool(opts.cases, (i) => fn(i, 'warm'));
  // Every pool connection's backend: hold them all at once so each answers.
  const pids = await Promise.all(Array.from({ length: opts.concurrency }, async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(rec.db)).rows[0]!.pid));
  const pg0 = backendCpuMs(pids);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(opts.cases, (i) => fn(i, 'measured'));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    perS: Math.round(opts.cases / (ms / 1000)),
    nodeMsPerOp: (cpu.user + cpu.system) / 1000 / opts.cases,
    postgresMsPerOp: (backendCpuMs(pids) - pg0) / opts.cases,
    backends: new Set(pids).size,
  };
}

try {
  await sql`create table bench_baseline (id bigserial primary key, camera text not null, at bigint not null, payload jsonb not null)`.execute(rec.db);
  const insert = await measure((i, round) => sql`insert into bench_baseline (camera, at, payload) values (${`${round}-${i}`}, ${i}, ${JSON.stringify({ i })})`.execute(rec.db));
  const intake = await measure((i, round) => store.openOrUpdate(testEvent({ cameraId: `${round}-${i}`, at: 1_700_000_000_000 + i }), testContext('illegal_parking', EVIDENCE_A)));
  await store.changesAnnounced();
  const row = (name: string, r: typeof insert) => [name, r.perS, (r.perS / insert.perS).toFixed(2), r.nodeMsPerOp.toFixed(2), r.postgresMsPerOp.toFixed(2)];
  process.stdout.write(`${formatTable(['operation', 'per s', 'vs baseline', 'node cpu ms/op', 'postgres cpu ms/op'], [row('single-row INSERT (baseline)', insert), row('new case via openOrUpdate', intake)])}\n`);
  process.stdout.write(`(${opts.cases} each after a warm-up, concurrency ${opts.concurrency}, ${intake.backends} backends; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ cases: opts.cases, concurrency: opts.concurrency, insert, intake, loadAverage: loadavg() }, null, 2)}\n`);
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await rec.close();
  await scratch.drop();
}
