import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One series of a bar chart. */
export interface BarSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

/**
 * Grouped bars over named categories (uPlot, drawn on a canvas). The numbers are also in a
 * visually hidden table for screen readers and for anyone who wants the exact values.
 */
export function BarChart(props: { title: string; categories: readonly string[]; series: readonly BarSeries[]; unit?: string; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const key = JSON.stringify([props.categories, props.series]);
  useEffect(() => {
    const el = host.current;
    if (!el || !props.categories.length) return;
    const n = props.series.length;
    const width = Math.max(280, el.clientWidth || 600);
    const bars = uPlot.paths.bars;
    const plot = new uPlot(
      {
        width,
        height: props.height ?? 240,
        legend: { show: true, live: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, props.categories.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        axes: [
          { values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? (props.categories[v] ?? '') : '')), splits: () => props.categories.map((_, i) => i), stroke: '#cbd5e1' },
          { label: props.unit ?? '', stroke: '#cbd5e1', grid: { stroke: '#334155' } },
        ],
        series: [
          { label: '' },
          ...props.series.map((s, i) => ({
            label: s.label,
            fill: s.color,
            stroke: s.color,
            // Grouped bars: series i takes the i-th slice of the 0.8-wide slot around each category.
            paths: bars
              ? bars({
                  disp: {
                    x0: { unit: 1, values: () => props.categories.map((_, j) => j - 0.4 + (i * 0.8) / n) },
                    size: { unit: 1, values: () => [(0.8 / n) * 0.9] },
                  },
                })
              : undefined,
            points: { show: false },
          })),
        ],
      },
      [props.categories.map((_, i) => i), ...props.series.map((s) => s.values.map((v) => v ?? null))] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [key]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={host} aria-hidden="true" />
      <table class="sr-only">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th />
            {props.series.map((s) => (
              <th key={s.label}>{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.categories.map((c, i) => (
            <tr key={c}>
              <th>{c}</th>
              {props.series.map((s) => (
                <td key={s.label}>{s.values[i] ?? '—'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
