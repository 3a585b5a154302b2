import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { AccuracyReport, BenchReport, ModelReport } from './bench-types.ts';
import { comparisonChartSvg, modelChartSvg, svgToPng } from './pr-charts.ts';
import { htmlReport } from './report-html.ts';
import { markdownReport } from './report-markdown.ts';
import { perClassRows, summaryRows } from './report-rows.ts';
import { terminalReport } from './report-text.ts';

const curve = (p: number) => Array.from({ length: 101 }, (_, r) => (r <= 60 ? p : 0));
const point = { threshold: 0.35, precision: 0.7, recall: 0.5, f1: 0.5833, tp: 7, fp: 3, fn: 7 };
const accuracy: AccuracyReport = {
  stats: [0.4, 0.6, 0.42, 0.1, 0.3, 0.5, 0.3, 0.45, 0.48, 0.15, 0.4, 0.6],
  statNames: [],
  perClass: [
    { categoryId: 0, name: 'person', ap: 0.45, ap50: 0.69, gtCount: 10, dtCount: 90 },
    { categoryId: 1, name: 'car', ap: 0.1, ap50: 0.16, gtCount: 4, dtCount: 9 },
    { categoryId: 2, name: 'bus', ap: -1, ap50: -1, gtCount: 0, dtCount: 1 },
  ],
  images: 4,
  detections: 100,
  unmappedDetections: 0,
  operatingPoint: point,
  targetPrecision: { target: 0.8, point: null },
  bestF1: { ...point, threshold: 0.41 },
  curves: { overall: { label: 'all classes', iou50: curve(0.8), iou50to95: curve(0.5) }, classes: [{ label: 'person (10 boxes)', iou50: curve(0.9), iou50to95: curve(0.6) }] },
  pooledCurve: [[0.1, 1], [0.5, 0.7], [0.6, 0.3]],
};
const speed = (ms: number) => ({ median: ms, p95: ms * 1.5 });
const model = (id: string, acc: AccuracyReport | null): ModelReport => ({
  id,
  name: id,
  version: '1',
  decoder: 'gfl',
  input: '416x416',
  modelPath: `/m/${id}.onnx`,
  sizeBytes: 4_040_573,
  sha256: 'ab'.repeat(32),
  operatingThreshold: 0.35,
  classMapping: acc
    ? { status: 'full', mapped: [{ dataset: 'person', model: ['person'] }, { dataset: 'car', model: ['car'] }, { dataset: 'bus', model: ['bus'] }], unmapped: [] }
    : { status: 'none', mapped: [], unmapped: ['person', 'car', 'bus'] },
  accuracy: acc,
  notice: acc ? null : `model ${id} has no classes for this dataset's person, car, bus: accuracy not measured (speed only)`,
  speed: {
    loadMs: 120, images: 4, wallSeconds: 0.5, imagesPerSecond: 8, decodeMs: speed(5), preprocessMs: speed(3), inferenceMs: speed(30),
    postprocessMs: speed(4), detectMs: speed(37), peakRssMiB: 250, rssGrowthMiB: 40,
  },
  failedImages: [],
  charts: [],
});
const report: BenchReport = {
  tool: 'gridworker bench',
  createdAt: '2026-01-01T00:00:00.000Z',
  dataset: {
    source: '/data/mini', format: 'yolo', namesSource: '/data/mini/x.names', classes: ['person', 'car', 'bus'], imagesFound: 5, images: 4,
    annotations: 14, imagesWithoutLabels: 0, skippedImages: 1, skippedLabelLines: 1,
    warnings: [{ file: '/data/mini/labels/a.txt', line: 3, problem: 'got 4 fields; line skipped' }, { file: '/data/mini/images/bad.jpg', problem: 'unreadable image, skipped' }],
  },
  settings: { conf: 0.001, nms: 0.45, maxDetections: 100, targetPrecision: 0.8, operatingIou: 0.5, threads: 1, limit: null },
  models: [model('good', accuracy), model('blind', null)],
  notes: ['how it is measured'],
};

describe('report rows', () => {
  it('puts models side by side and says "not measured" rather than printing zeros', () => {
    const rows = summaryRows(report);
    const ap = rows.find((r) => r.label === 'AP @[.50:.95]')!;
    expect(ap.cells).toEqual(['0.400', 'not measured']);
    expect(rows.find((r) => r.label.startsWith('dataset classes'))!.cells).toEqual(['3 of 3 (2 with boxes)', '0 of 3 (not measured)']);
    expect(rows.find((r) => r.label.startsWith('thr. for P >= 0.8'))!.cells[0]).toBe('not reachable');
    expect(rows.find((r) => r.label.startsWith('P / R / F1'))!.cells[0]).toBe('0.700 / 0.500 / 0.583');
    expect(rows.find((r) => r.label.startsWith('inference'))!.cells).toEqual(['30.0 / 45.0', '30.0 / 45.0']);
  });

  it('lists classes with ground truth, most boxes first', () => {
    const { header, rows } = perClassRows(report);
    expect(header).toEqual(['class', 'gt boxes', 'good AP / AP50']);
    expect(rows).toEqual([['person', '10', '0.450 / 0.690'], ['car', '4', '0.100 / 0.160']]);
  });
});

describe('rendered reports', () => {
  it('terminal: dataset line, warnings with file:line, the notice, the table', () => {
    const text = terminalReport(report);
    expect(text).toContain('4 images used of 5 found');
    expect(text).toContain('/data/mini/labels/a.txt:3: got 4 fields; line skipped');
    expect(text).toContain("NOTICE: model blind has no classes for this dataset's person, car, bus: accuracy not measured");
    expect(text).toMatch(/AP @\[\.50:\.95\] +0\.400 +not measured/);
  });

  it('markdown and HTML: tables, charts, warnings and notes', () => {
    const md = markdownReport(report, ['pr-good.png']);
    expect(md).toContain('| AP @[.50:.95] | 0.400 | not measured |');
    expect(md).toContain('![pr-good.png](pr-good.png)');
    expect(md).toContain('`/data/mini/labels/a.txt:3: got 4 fields; line skipped`');
    expect(md).toContain('ab'.repeat(32));
    const html = htmlReport(report, ['pr-good.png']);
    expect(html).toContain('<img src="pr-good.png"');
    expect(html).toContain('<div class="notice"><strong>model blind has no classes');
    expect(html).toContain('<li>how it is measured</li>');
  });
});

describe('precision-recall charts', () => {
  it('draws a model chart as a PNG, and no chart for a model without accuracy', async () => {
    const svg = modelChartSvg(report.models[0]!, 'mini')!;
    expect(svg).toContain('good on mini: precision-recall');
    expect(svg.match(/<path /g)).toHaveLength(5); // overall: 3 curves; person: 2
    expect(svg).toContain('score 0.35: P 0.70 R 0.50');
    const meta = await sharp(await svgToPng(svg)).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(600);
    expect(modelChartSvg(report.models[1]!, 'mini')).toBeNull();
  });

  it('compares models only when two or more were measured', () => {
    expect(comparisonChartSvg(report.models, 'mini')).toBeNull();
    const two = [report.models[0]!, { ...report.models[0]!, id: 'other' }];
    expect(comparisonChartSvg(two, 'mini')).toContain('other');
  });
});
