import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { evaluationPeriod } from '../../pipeline/cases/evaluation-period.ts';
import { type UnitEvaluation, evaluateUnits, evaluationRows } from '../../pipeline/cases/unit-evaluation.ts';
import { databaseTarget } from '../../pipeline/db/database-target.ts';
import { openDatabase } from '../../pipeline/db/open-database.ts';
import { formatTable } from '../bench/stats.ts';
import { formatDuration } from './accuracy.ts';

interface ReportFlags {
  from?: string;
  to?: string;
  databaseUrl?: string;
  config?: string;
  storage?: string;
  json?: boolean;
}

const pct = (p: number | null): string => (p === null ? '-' : `${(p * 100).toFixed(1)} %`);

/** The table `report units` prints. */
export function unitTable(units: readonly UnitEvaluation[]): string {
  if (!units.length) return 'no cases received in the period';
  const rows = units.map((u) => [u.unit, u.received, u.handled, `${u.handledInTime} (${pct(u.received ? u.handledInTime / u.received : null)})`, pct(u.overdueRate), formatDuration(u.medianHandlingMs), `${pct(u.reopenRate)} (${u.reopened}/${u.rechecked})`]);
  return formatTable(['unit', 'received', 'handled', 'handled in time', 'overdue', 'median handling', 'reopened after re-check'], rows);
}

/** `gridworker report units`: unit evaluation from the record. */
export async function reportUnits(flags: ReportFlags): Promise<number> {
  const period = evaluationPeriod(flags.from, flags.to, Date.now());
  let storageDir = resolve(flags.storage ?? '.gridworker');
  if (!flags.storage && flags.config) {
    const path = resolve(flags.config);
    storageDir = resolve(dirname(path), (await loadConfig(path)).storage.dir);
  }
  const h = await openDatabase({ ...databaseTarget({ url: flags.databaseUrl ?? process.env.DATABASE_URL, storageDir }), migrate: false });
  try {
    const units = evaluateUnits(await evaluationRows(h.db, period.from, period.to));
    const from = new Date(period.from).toISOString().slice(0, 10);
    const to = new Date(period.to - 1).toISOString().slice(0, 10);
    if (flags.json) process.stdout.write(`${JSON.stringify({ from, to, units }, null, 2)}\n`);
    else process.stdout.write(`Unit evaluation, cases opened ${from} to ${to} (UTC), rejected false positives left out\n${unitTable(units)}\n`);
    return 0;
  } finally {
    await h.close();
  }
}

/** Registers `gridworker report` and `report units`. */
export function registerReport(program: Command): void {
  const report = program.command('report').description('reports from the record');
  report
    .command('units')
    .description('unit evaluation: cases received, handled in time, overdue rate, median handling time, reopen rate after re-check')
    .option('--from <date>', 'first day, YYYY-MM-DD (UTC; default 30 days before --to)')
    .option('--to <date>', 'last day, YYYY-MM-DD (UTC; default today)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL; none: the embedded database in the storage folder)')
    .option('--config <file>', 'config whose storage folder holds the embedded database')
    .option('--storage <dir>', 'storage folder of the embedded database (default .gridworker)')
    .option('--json', 'print JSON')
    .action(async (flags: ReportFlags) => {
      process.exitCode = await reportUnits(flags);
    });
}
