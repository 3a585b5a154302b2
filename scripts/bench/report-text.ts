import { formatWarning } from '../../models/evaluation/dataset-types.ts';
import type { BenchReport } from './bench-types.ts';
import { perClassRows, summaryRows } from './report-rows.ts';
import { formatTable } from './stats.ts';

const SHOWN_WARNINGS = 20;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Dataset line: what was read and what was skipped. Shared by the terminal and the reports. */
export function datasetSummary(report: BenchReport): string {
  const d = report.dataset;
  const limit = report.settings.limit === null ? '' : `, --limit ${report.settings.limit}`;
  const skipped =
    d.format === 'yolo'
      ? `${plural(d.imagesWithoutLabels, 'image')} without a label file (counted as no objects), ` +
        `${plural(d.skippedImages, 'image')} and ${plural(d.skippedLabelLines, 'label line')} skipped`
      : `${plural(d.skippedImages, 'image')} skipped`;
  return (
    `${d.format} dataset ${d.source}: ${plural(d.images, 'image')} used of ${d.imagesFound} found${limit}, ` +
    `${plural(d.annotations, 'box', 'boxes')}, ${plural(d.classes.length, 'class', 'classes')} (names from ${d.namesSource}); ${skipped}`
  );
}

/** All warnings, dataset and per model, as "file:line: problem" lines. */
export function warningLines(report: BenchReport): string[] {
  return [
    ...report.dataset.warnings.map(formatWarning),
    ...report.models.flatMap((m) => m.failedImages.map((w) => `${m.id}: ${formatWarning(w)}`)),
  ];
}

/** What the terminal shows at the end of a run. */
export function terminalReport(report: BenchReport): string {
  const out: string[] = [datasetSummary(report)];
  const warnings = warningLines(report);
  if (warnings.length) {
    out.push(`\n${warnings.length} warning(s):`, ...warnings.slice(0, SHOWN_WARNINGS).map((w) => `  ${w}`));
    if (warnings.length > SHOWN_WARNINGS) out.push(`  (+${warnings.length - SHOWN_WARNINGS} more in report.json)`);
  }
  for (const m of report.models) {
    if (m.notice) out.push(`\nNOTICE: ${m.notice}`);
    else if (m.classMapping.unmapped.length) out.push(`\nnote: ${m.id} is evaluated without the dataset's ${m.classMapping.unmapped.join(', ')} (no model class)`);
  }
  const rows = summaryRows(report);
  out.push('', formatTable(['', ...report.models.map((m) => m.id)], rows.map((r) => [r.label, ...r.cells])));
  const perClass = perClassRows(report);
  if (perClass.rows.length) out.push('', 'Per class (classes with ground truth, most boxes first):', formatTable(perClass.header, perClass.rows));
  return `${out.join('\n')}\n`;
}
