import { basename } from 'node:path';
import type { BenchReport } from './bench-types.ts';
import { perClassRows, summaryRows } from './report-rows.ts';
import { datasetSummary, warningLines } from './report-text.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

/** Settings as one line. */
export function settingsLine(report: BenchReport): string {
  const s = report.settings;
  return `conf ${s.conf}, class-wise NMS IoU ${s.nms}, max ${s.maxDetections} detections per image, target precision ${s.targetPrecision}, ${s.threads} thread(s)`;
}

/** `report.md`: summary table, per-class table, curve images, warnings and how numbers are measured. */
export function markdownReport(report: BenchReport, charts: readonly string[]): string {
  const out: string[] = [
    `# Model benchmark on ${basename(report.dataset.source)}`,
    '',
    `${report.createdAt} — ${settingsLine(report)}.`,
    '',
    datasetSummary(report),
  ];
  const notices = report.models.flatMap((m) =>
    m.notice ? [`- **${m.notice}**`] : m.classMapping.unmapped.length ? [`- ${m.id} is evaluated without the dataset's ${m.classMapping.unmapped.join(', ')} (no model class)`] : [],
  );
  if (notices.length) out.push('', '## Notices', '', ...notices);
  const rows = summaryRows(report, true);
  out.push('', '## Summary', '', table(['', ...report.models.map((m) => m.id)], rows.map((r) => [r.label, ...r.cells])));
  const perClass = perClassRows(report);
  if (perClass.rows.length) out.push('', '## Per class', '', table(perClass.header, perClass.rows));
  if (charts.length) out.push('', '## Precision-recall curves', '', ...charts.map((c) => `![${c}](${c})\n`));
  const warnings = warningLines(report);
  if (warnings.length) out.push('', `## Warnings (${warnings.length})`, '', ...warnings.map((w) => `- \`${w}\``));
  out.push('', '## How the numbers are measured', '', ...report.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
