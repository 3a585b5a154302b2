import { basename } from 'node:path';
import type { BenchReport } from './bench-types.ts';
import { settingsLine } from './report-markdown.ts';
import { perClassRows, summaryRows } from './report-rows.ts';
import { datasetSummary, warningLines } from './report-text.ts';
import { escapeXml as esc } from './svg-chart.ts';

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
thead th,tbody th{text-align:left;background:#f4f4f4}td{font-variant-numeric:tabular-nums}
.notice{background:#fff3cd;border:1px solid #e0c36a;padding:8px 12px;margin:8px 0}
img{max-width:100%;border:1px solid #ddd;margin:8px 0}code{font-size:13px}`;

/** `report.html`: the same content as report.md, with the curve PNGs shown inline. */
export function htmlReport(report: BenchReport, charts: readonly string[]): string {
  const title = `Model benchmark on ${basename(report.dataset.source)}`;
  const parts: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    `<p>${esc(report.createdAt)} — ${esc(settingsLine(report))}.</p>`,
    `<p>${esc(datasetSummary(report))}</p>`,
  ];
  for (const m of report.models) {
    if (m.notice) parts.push(`<div class="notice"><strong>${esc(m.notice)}</strong></div>`);
    else if (m.classMapping.unmapped.length) parts.push(`<div class="notice">${esc(`${m.id} is evaluated without the dataset's ${m.classMapping.unmapped.join(', ')} (no model class)`)}</div>`);
  }
  parts.push('<h2>Summary</h2>', table(['', ...report.models.map((m) => m.id)], summaryRows(report, true).map((r) => [r.label, ...r.cells])));
  if (charts.length) parts.push('<h2>Precision-recall curves</h2>', ...charts.map((c) => `<p><img src="${esc(c)}" alt="${esc(c)}"></p>`));
  const perClass = perClassRows(report);
  if (perClass.rows.length) parts.push('<h2>Per class</h2>', table(perClass.header, perClass.rows));
  const warnings = warningLines(report);
  if (warnings.length) parts.push(`<h2>Warnings (${warnings.length})</h2><ul>${warnings.map((w) => `<li><code>${esc(w)}</code></li>`).join('')}</ul>`);
  parts.push('<h2>How the numbers are measured</h2>', `<ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`, '</body></html>\n');
  return parts.join('\n');
}
