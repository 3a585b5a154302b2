import type { Command } from 'commander';
import { ConfigError } from '../../pipeline/config/errors.ts';
import { AccuracyOptionError, CaseInputError } from '../../pipeline/accuracy/accuracy-errors.ts';
import { DEFAULT_TARGET_PRECISION, accuracyReport } from '../../pipeline/accuracy/accuracy-report.ts';
import type { AccuracyReport, GroupPrecision } from '../../pipeline/accuracy/accuracy-types.ts';
import { type CaseInputFlags, readCaseInput } from '../../pipeline/accuracy/case-input.ts';
import type { Interval } from '../../pipeline/accuracy/precision.ts';
import { parseSince } from '../../pipeline/accuracy/since-date.ts';
import { type StoreCaseLoader, loadCasesFromStore } from '../../pipeline/accuracy/store-cases.ts';
import { systemTimeZone } from '../../pipeline/patrol/zoned-time.ts';
import { formatTable } from '../bench/stats.ts';
import { numberIn } from './model-options.ts';

/** Flags of `gridworker accuracy` as commander hands them over. */
export interface AccuracyFlags extends CaseInputFlags {
  target: number;
  since?: string;
  timezone?: string;
  json?: boolean;
}

const pct = (p: number | null): string => (p === null ? '-' : `${(p * 100).toFixed(1)} %`);
const ci = (i: Interval | null): string => (i === null ? '-' : `${(i.lo * 100).toFixed(1)}-${(i.hi * 100).toFixed(1)} %`);

/** "45 s", "12.5 min", "3.2 h", "1.5 d". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${(s / 60).toFixed(1)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** "confidently above" (interval above the target), "meets, uncertain" (point estimate only), "below". */
const verdictOnTarget = (g: GroupPrecision): string =>
  g.confidentlyAboveTarget ? 'confidently above' : g.meetsTarget ? 'meets, uncertain' : g.verified ? 'below' : '-';

function groupTable(title: string, keyName: string, groups: readonly GroupPrecision[]): string {
  if (!groups.length) return `${title}: nothing verified`;
  const rows = groups.map((g) => [g.key, g.verified, g.confirmed, pct(g.precision), ci(g.ci95), verdictOnTarget(g)]);
  return `${title}\n${formatTable([keyName, 'verified', 'confirmed', 'precision', '95 % interval', 'vs target'], rows)}`;
}

function headline(r: AccuracyReport): string[] {
  const o = r.overall;
  const target = pct(r.targetPrecision);
  const verdict = o.precision === null
    ? 'no verdicts yet: nothing to judge'
    : o.confidentlyAboveTarget
      ? `above the ${target} target, confidently (the whole interval is above it)`
      : o.meetsTarget
        ? `at or above the ${target} target, but not confidently (the interval reaches below it)`
        : `BELOW the ${target} target`;
  const since = r.since === null ? '' : ` opened since ${new Date(r.since).toISOString()}`;
  const waiting = r.awaitingVerdict ? `, ${r.awaitingVerdict} awaiting a verdict (oldest ${formatDuration(r.oldestAwaitingMs)})` : '';
  const reasons = Object.entries(o.rejectedBy).map(([k, n]) => `${k} ${n}`).join(', ');
  const t = r.timeToVerdict.overall;
  const shadow = r.shadow.cases ? [`Shadow candidates' cases left out: ${r.shadow.cases} (${r.shadow.verified} verified; compare them with GET /api/accuracy/shadow)`] : [];
  return [
    `AI accuracy from grid workers' verdicts: ${r.verified} verified of ${r.cases} cases${since}${waiting}`,
    ...shadow,
    `Overall precision ${pct(o.precision)} (95 % interval ${ci(o.ci95)}): ${verdict}`,
    `Rejections: ${reasons || 'none'}`,
    `Time to verdict: median ${formatDuration(t.medianMs)}, p90 ${formatDuration(t.p90Ms)}, max ${formatDuration(t.maxMs)} (${t.count} cases)`,
  ];
}

function durationTable(r: AccuracyReport): string {
  const rows = r.timeToVerdict.byEventType.map((d) => [d.eventType, d.count, formatDuration(d.medianMs), formatDuration(d.p90Ms), formatDuration(d.maxMs)]);
  return `Time to verdict by event type\n${formatTable(['event type', 'cases', 'median', 'p90', 'max'], rows)}`;
}

function thresholdTable(r: AccuracyReport): string {
  const rows = r.thresholds.map((t) =>
    t.reachable
      ? [t.eventType, t.verified, pct(t.precisionAll), t.threshold.toFixed(3), `${pct(t.precision)} of ${t.keptVerified}`, `${t.lostConfirmed} (${pct(t.lostShare)})`]
      : [t.eventType, t.verified, pct(t.precisionAll), 'not reachable', `best ${pct(t.bestPrecision)}`, '-'],
  );
  return `Case-confidence threshold that would reach ${pct(r.targetPrecision)} precision\n${formatTable(['event type', 'verified', 'precision now', 'threshold', 'precision kept', 'true hits lost'], rows)}`;
}

function outlierLines(r: AccuracyReport): string {
  if (!r.outlierCameras.length) return 'Cameras far below their peers: none';
  const rows = r.outlierCameras.map((o) => [o.cameraId, o.verified, pct(o.precision), ci(o.ci95), pct(o.peersPrecision)]);
  return `Cameras far below their peers (the top of the interval is under the others' pooled precision)\n${formatTable(['camera', 'verified', 'precision', '95 % interval', 'peers'], rows)}`;
}

function confusionLines(r: AccuracyReport): string {
  if (!r.confusion.length) return 'Wrong event type: none';
  const rows = r.confusion.map((c) => [c.aiType, c.correctType ?? '(not given)', c.count]);
  return `Wrong event type (AI type -> what the worker said it was)\n${formatTable(['AI type', 'worker type', 'cases'], rows)}`;
}

/** The report as readable text. */
export function accuracyText(r: AccuracyReport): string {
  const blocks = [
    headline(r).join('\n'),
    groupTable('By event type', 'event type', r.byEventType),
    groupTable('By camera', 'camera', r.byCamera),
    groupTable('By model', 'model', r.byModel),
    groupTable('By case confidence', 'confidence', r.byConfidence),
    groupTable(`By day opened (${r.timezone})`, 'day', r.byDay),
  ];
  if (r.verified) blocks.push(durationTable(r), thresholdTable(r), outlierLines(r), confusionLines(r));
  return `${blocks.join('\n\n')}\n`;
}

/** Runs `accuracy`; resolves to the exit code (0 printed, 1 the cases, config or an option cannot be used). */
export async function runAccuracy(flags: AccuracyFlags, loader: StoreCaseLoader = loadCasesFromStore): Promise<number> {
  try {
    const input = await readCaseInput(flags, loader);
    const timezone = flags.timezone ?? input.timezone ?? systemTimeZone();
    const since = flags.since === undefined ? undefined : parseSince(flags.since, timezone, '--since');
    const report = accuracyReport(input.cases, { targetPrecision: flags.target, timezone, ...(since === undefined ? {} : { since }) });
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : accuracyText(report));
    return 0;
  } catch (err) {
    if (!(err instanceof CaseInputError || err instanceof ConfigError || err instanceof AccuracyOptionError)) throw err;
    process.stderr.write(`gridworker accuracy: ${err.message}\n`);
    return 1;
  }
}

/** `gridworker accuracy [--cases <file> | --database-url <url>] [--target 0.8] [--since <date>] [--json]`. */
export function registerAccuracy(program: Command, loader: StoreCaseLoader = loadCasesFromStore): void {
  program
    .command('accuracy')
    .description("precision of the AI's hits from the grid workers' verdicts: overall and per type, camera, model, confidence and day")
    .option('--cases <file.json>', 'read cases from a JSON file (an array of cases, as the API exports them) instead of the case store')
    .option('--database-url <url>', 'PostgreSQL URL of the record (default $DATABASE_URL; none: the embedded database in the storage folder)')
    .option('--config <file>', 'Gridworker config: Redis location and time zone')
    .option('--target <p>', 'precision the AI should reach, 0-1', numberIn(0, 1, '--target'), DEFAULT_TARGET_PRECISION)
    .option('--since <date>', 'only cases opened since this date (YYYY-MM-DD, local midnight) or ISO date-time with offset')
    .option('--timezone <zone>', 'IANA time zone of the days (default: the config\'s patrol.timezone, else the system\'s)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: AccuracyFlags) => {
      process.exitCode = await runAccuracy(flags, loader);
    });
}
