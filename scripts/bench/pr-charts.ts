import sharp from 'sharp';
import { RECALL_THRESHOLDS } from '../../models/evaluation/coco-params.ts';
import type { PrCurve } from '../../models/evaluation/pr-curves.ts';
import type { AccuracyReport, ModelReport } from './bench-types.ts';
import { type Panel, type Series, chartSvg } from './svg-chart.ts';

const BLUE = '#1f77b4';
const ORANGE = '#ff7f0e';
const GREY = '#555';
const RED = '#d62728';
const PALETTE = [BLUE, ORANGE, '#2ca02c', RED, '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** (recall, precision) points of a COCO curve; recall points with no value (-1) are left out. */
function cocoPoints(precision: readonly number[]): [number, number][] {
  return precision.flatMap((p, r) => (p > -1 ? [[RECALL_THRESHOLDS[r]!, p] as [number, number]] : []));
}

function curveSeries(c: PrCurve): Series[] {
  return [
    { label: 'IoU 0.50', color: BLUE, points: cocoPoints(c.iou50) },
    { label: 'IoU 0.50:0.95 (mean)', color: ORANGE, points: cocoPoints(c.iou50to95) },
  ];
}

function overallPanel(acc: AccuracyReport, threshold: number): Panel {
  const op = acc.operatingPoint;
  const markers =
    op.precision !== null && op.recall !== null
      ? [{ x: op.recall, y: op.precision, color: RED, label: `score ${threshold}: P ${op.precision.toFixed(2)} R ${op.recall.toFixed(2)}` }]
      : [];
  return {
    title: 'all classes',
    series: [...curveSeries(acc.curves.overall), { label: 'pooled', color: GREY, dashed: true, points: acc.pooledCurve }],
    markers,
  };
}

/** SVG of one model's curves: all classes (with the operating point on the pooled curve) and each main class. */
export function modelChartSvg(model: ModelReport, datasetName: string): string | null {
  const acc = model.accuracy;
  if (!acc) return null;
  const panels: Panel[] = [overallPanel(acc, model.operatingThreshold), ...acc.curves.classes.map((c) => ({ title: c.label, series: curveSeries(c) }))];
  const legend: Series[] = [
    { label: 'IoU 0.50 (COCO, mean over classes)', color: BLUE, points: [] },
    { label: 'IoU 0.50:0.95 (COCO, mean)', color: ORANGE, points: [] },
    { label: 'all classes pooled, IoU 0.50', color: GREY, dashed: true, points: [] },
    { label: `operating point (card threshold ${model.operatingThreshold})`, color: RED, dot: true, points: [] },
  ];
  return chartSvg(`${model.id} on ${datasetName}: precision-recall`, panels, legend);
}

/** SVG comparing the models' all-class curves at IoU 0.50 and 0.50:0.95, or null with fewer than two measured models. */
export function comparisonChartSvg(models: readonly ModelReport[], datasetName: string): string | null {
  const measured = models.filter((m) => m.accuracy);
  if (measured.length < 2) return null;
  const series = (pick: (c: PrCurve) => readonly number[]): Series[] =>
    measured.map((m, i) => ({ label: m.id, color: PALETTE[i % PALETTE.length]!, points: cocoPoints(pick(m.accuracy!.curves.overall)) }));
  const panels: Panel[] = [
    { title: 'all classes, IoU 0.50', series: series((c) => c.iou50) },
    { title: 'all classes, IoU 0.50:0.95', series: series((c) => c.iou50to95) },
  ];
  return chartSvg(`models on ${datasetName}: precision-recall`, panels, series((c) => c.iou50), 2);
}

/** Rasterises an SVG to PNG. */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 96 }).png().toBuffer();
}
