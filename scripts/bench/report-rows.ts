import type { PrPoint } from '../../models/evaluation/operating-point.ts';
import type { BenchReport, ModelReport, TimeSummary } from './bench-types.ts';

/** One row of the side-by-side table: a label and one cell per model. */
export interface ReportRow {
  readonly label: string;
  readonly cells: readonly string[];
}

/** Short names of the twelve COCO statistics, in order. */
export const STAT_LABELS: readonly string[] = [
  'AP @[.50:.95]', 'AP50', 'AP75', 'AP small', 'AP medium', 'AP large',
  'AR1', 'AR10', 'AR100', 'AR small', 'AR medium', 'AR large',
];

const NOT_MEASURED = 'not measured';

/** 3 decimals; -1 (nothing to average) as "-". */
export const metric = (v: number | null): string => (v === null || v < 0 ? '-' : v.toFixed(3));
const ms = (t: TimeSummary): string => (Number.isNaN(t.median) ? '-' : `${t.median.toFixed(1)} / ${t.p95.toFixed(1)}`);
const prf = (p: PrPoint): string => `${metric(p.precision)} / ${metric(p.recall)} / ${metric(p.f1)}`;

/** Bytes as "3.8 MiB" (or kB for small files). */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} kB`;
}

function accuracyRows(models: readonly ModelReport[], targetPrecision: number): ReportRow[] {
  const cell = (m: ModelReport, f: (a: NonNullable<ModelReport['accuracy']>) => string): string => (m.accuracy ? f(m.accuracy) : NOT_MEASURED);
  return [
    {
      label: 'dataset classes evaluated',
      cells: models.map((m) => {
        const total = m.classMapping.mapped.length + m.classMapping.unmapped.length;
        if (!m.accuracy) return `0 of ${total} (${NOT_MEASURED})`;
        return `${m.classMapping.mapped.length} of ${total} (${m.accuracy.perClass.filter((c) => c.gtCount > 0).length} with boxes)`;
      }),
    },
    ...STAT_LABELS.map((label, i) => ({ label, cells: models.map((m) => cell(m, (a) => metric(a.stats[i] ?? -1))) })),
    { label: 'operating threshold (card)', cells: models.map((m) => String(m.operatingThreshold)) },
    { label: 'P / R / F1 at operating thr.', cells: models.map((m) => cell(m, (a) => prf(a.operatingPoint))) },
    {
      label: `thr. for P >= ${targetPrecision} (R there)`,
      cells: models.map((m) => cell(m, (a) => (a.targetPrecision.point ? `${a.targetPrecision.point.threshold.toFixed(3)} (R ${metric(a.targetPrecision.point.recall)})` : 'not reachable'))),
    },
    { label: 'best F1 (at thr.)', cells: models.map((m) => cell(m, (a) => (a.bestF1 ? `${metric(a.bestF1.f1)} (${a.bestF1.threshold.toFixed(3)})` : '-'))) },
  ];
}

function speedRows(models: readonly ModelReport[], fullHash: boolean): ReportRow[] {
  return [
    { label: 'load ms', cells: models.map((m) => m.speed.loadMs.toFixed(0)) },
    { label: 'decode ms (median / p95)', cells: models.map((m) => ms(m.speed.decodeMs)) },
    { label: 'preprocess ms (median / p95)', cells: models.map((m) => ms(m.speed.preprocessMs)) },
    { label: 'inference ms (median / p95)', cells: models.map((m) => ms(m.speed.inferenceMs)) },
    { label: 'postprocess ms (median / p95)', cells: models.map((m) => ms(m.speed.postprocessMs)) },
    { label: 'images/s (with decode)', cells: models.map((m) => m.speed.imagesPerSecond.toFixed(1)) },
    { label: 'peak RSS MiB (process)', cells: models.map((m) => m.speed.peakRssMiB.toFixed(0)) },
    { label: 'images run / failed', cells: models.map((m) => `${m.speed.images} / ${m.failedImages.length}`) },
    { label: 'model size', cells: models.map((m) => formatBytes(m.sizeBytes)) },
    { label: 'sha256', cells: models.map((m) => (fullHash ? m.sha256 : `${m.sha256.slice(0, 16)}…`)) },
  ];
}

/** The side-by-side summary: accuracy, operating points, speed and identity of every model. */
export function summaryRows(report: BenchReport, fullHash = false): ReportRow[] {
  return [...accuracyRows(report.models, report.settings.targetPrecision), ...speedRows(report.models, fullHash)];
}

/**
 * Per-class AP / AP50 side by side, classes with ground truth first by box count; classes a model
 * does not have read "-".
 */
export function perClassRows(report: BenchReport): { header: string[]; rows: string[][] } {
  const measured = report.models.filter((m) => m.accuracy);
  const byName = new Map<string, { gt: number; cells: string[] }>();
  measured.forEach((m, i) => {
    for (const c of m.accuracy!.perClass) {
      const row = byName.get(c.name) ?? { gt: c.gtCount, cells: measured.map(() => '-') };
      row.cells[i] = `${metric(c.ap)} / ${metric(c.ap50)}`;
      byName.set(c.name, row);
    }
  });
  const rows = [...byName.entries()]
    .filter(([, r]) => r.gt > 0)
    .sort((a, b) => b[1].gt - a[1].gt || a[0].localeCompare(b[0]))
    .map(([name, r]) => [name, String(r.gt), ...r.cells]);
  return { header: ['class', 'gt boxes', ...measured.map((m) => `${m.id} AP / AP50`)], rows };
}
