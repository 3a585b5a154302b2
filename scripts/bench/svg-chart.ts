/**
 * Small SVG line charts for precision-recall curves: a grid of square-ish panels with 0-1 axes.
 * Plain SVG (no chart library) so sharp can rasterise it to PNG.
 */

/** One line on a panel; points are (x, y) in 0-1. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  /** Drawn as a dot in the legend (for markers). */
  readonly dot?: boolean;
  readonly points: readonly (readonly [number, number])[];
}

/** A labelled dot on a panel. */
export interface Marker {
  readonly x: number;
  readonly y: number;
  readonly label: string;
  readonly color: string;
}

/** One chart of the grid. */
export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
  readonly markers?: readonly Marker[];
}

const PANEL_W = 320;
const PANEL_H = 290;
const PAD = { left: 46, right: 14, top: 28, bottom: 40 };
const TITLE_H = 36;
const LEGEND_ROW = 20;

/** Escapes text for SVG. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function panelSvg(panel: Panel, ox: number, oy: number): string {
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const X = (v: number): number => ox + PAD.left + v * w;
  const Y = (v: number): number => oy + PAD.top + (1 - v) * h;
  const parts: string[] = [`<text x="${X(0.5)}" y="${oy + 18}" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`];
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    parts.push(
      `<line x1="${X(0)}" y1="${Y(v)}" x2="${X(1)}" y2="${Y(v)}" stroke="#ddd"/>`,
      `<line x1="${X(v)}" y1="${Y(0)}" x2="${X(v)}" y2="${Y(1)}" stroke="#ddd"/>`,
      `<text x="${X(0) - 6}" y="${Y(v) + 4}" text-anchor="end" font-size="10">${v.toFixed(1)}</text>`,
      `<text x="${X(v)}" y="${Y(0) + 14}" text-anchor="middle" font-size="10">${v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${X(0)}" y="${Y(1)}" width="${w}" height="${h}" fill="none" stroke="#444"/>`,
    `<text x="${X(0.5)}" y="${Y(0) + 30}" text-anchor="middle" font-size="11">recall</text>`,
    `<text x="${ox + 12}" y="${Y(0.5)}" text-anchor="middle" font-size="11" transform="rotate(-90 ${ox + 12} ${Y(0.5)})">precision</text>`,
  );
  for (const s of panel.series) {
    if (!s.points.length) continue;
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
  }
  for (const m of panel.markers ?? []) {
    const anchor = m.x > 0.6 ? 'end' : 'start';
    const dx = m.x > 0.6 ? -7 : 7;
    parts.push(
      `<circle cx="${X(m.x)}" cy="${Y(m.y)}" r="4.5" fill="${m.color}" stroke="white"/>`,
      `<text x="${X(m.x) + dx}" y="${Y(m.y) - 7}" text-anchor="${anchor}" font-size="10" fill="${m.color}">${escapeXml(m.label)}</text>`,
    );
  }
  return parts.join('');
}

/** Renders panels in a grid of `columns` with a title on top and a legend of `legend` below. */
export function chartSvg(title: string, panels: readonly Panel[], legend: readonly Series[], columns = 3): string {
  const cols = Math.min(columns, Math.max(panels.length, 1));
  const rows = Math.ceil(panels.length / cols);
  const width = cols * PANEL_W;
  const perRow = Math.max(1, Math.floor(width / 260));
  const legendRows = Math.ceil(legend.length / perRow);
  const height = TITLE_H + rows * PANEL_H + legendRows * LEGEND_ROW + 12;
  const body = panels.map((p, i) => panelSvg(p, (i % cols) * PANEL_W, TITLE_H + Math.floor(i / cols) * PANEL_H));
  const legendY = TITLE_H + rows * PANEL_H + 8;
  const items = legend.map((s, i) => {
    const x = 20 + (i % perRow) * 260;
    const y = legendY + Math.floor(i / perRow) * LEGEND_ROW;
    const key = s.dot
      ? `<circle cx="${x + 14}" cy="${y + 6}" r="4.5" fill="${s.color}"/>`
      : `<line x1="${x}" y1="${y + 6}" x2="${x + 28}" y2="${y + 6}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`;
    return `${key}<text x="${x + 34}" y="${y + 10}" font-size="11">${escapeXml(s.label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...body,
    ...items,
    '</svg>',
  ].join('\n');
}
