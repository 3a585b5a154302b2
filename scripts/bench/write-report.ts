import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BenchReport } from './bench-types.ts';
import { comparisonChartSvg, modelChartSvg, svgToPng } from './pr-charts.ts';
import { htmlReport } from './report-html.ts';
import { markdownReport } from './report-markdown.ts';

/** Paths of what {@link writeReport} wrote. */
export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly string[];
}

const fileSafe = (id: string): string => id.replace(/[^a-zA-Z0-9._-]/g, '_');

/**
 * Writes report.json, report.md, report.html and the precision-recall PNGs (pr-<model>.png per
 * measured model, pr-models.png comparing them) into `dir`. Returns the report with each
 * model's chart names filled in, and the paths.
 */
export async function writeReport(report: BenchReport, dir: string): Promise<{ report: BenchReport; written: WrittenReport }> {
  await mkdir(dir, { recursive: true });
  const dataset = basename(report.dataset.source);
  const charts: string[] = [];
  const models = [];
  for (const m of report.models) {
    const svg = modelChartSvg(m, dataset);
    const name = `pr-${fileSafe(m.id)}.png`;
    if (svg) {
      await writeFile(join(dir, name), await svgToPng(svg));
      charts.push(name);
    }
    models.push({ ...m, charts: svg ? [name] : [] });
  }
  const comparison = comparisonChartSvg(report.models, dataset);
  if (comparison) {
    await writeFile(join(dir, 'pr-models.png'), await svgToPng(comparison));
    charts.unshift('pr-models.png');
  }
  const final: BenchReport = { ...report, models };
  const paths = { json: join(dir, 'report.json'), markdown: join(dir, 'report.md'), html: join(dir, 'report.html') };
  await writeFile(paths.json, `${JSON.stringify(final, null, 2)}\n`);
  await writeFile(paths.markdown, markdownReport(final, charts));
  await writeFile(paths.html, htmlReport(final, charts));
  return { report: final, written: { ...paths, charts: charts.map((c) => join(dir, c)) } };
}
