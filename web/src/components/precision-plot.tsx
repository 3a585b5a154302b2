/** A row of the precision plot: a group's precision with its 95 % interval. */
export interface PrecisionRow {
  readonly key: string;
  readonly precision: number | null;
  readonly ci95: { readonly lo: number; readonly hi: number } | null;
  readonly verified: number;
}

/**
 * Precision per group as a dot with its 95 % confidence interval as a whisker, and the target as a
 * dashed line: which groups are clearly above or below target shows at a glance.
 */
export function PrecisionPlot(props: { title: string; rows: readonly PrecisionRow[]; target: number; name?: (key: string) => string }) {
  const rowH = 28;
  const left = 170;
  const w = 640;
  const plotW = w - left - 60;
  const x = (p: number): number => left + p * plotW;
  const h = props.rows.length * rowH + 30;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.title} class="precision-plot">
        {[0, 0.25, 0.5, 0.75, 1].map((g) => (
          <g key={g}>
            <line x1={x(g)} x2={x(g)} y1={0} y2={h - 20} class="gridline" />
            <text x={x(g)} y={h - 6} text-anchor="middle" class="axis">
              {Math.round(g * 100)}%
            </text>
          </g>
        ))}
        <line x1={x(props.target)} x2={x(props.target)} y1={0} y2={h - 20} class="target" />
        {props.rows.map((r, i) => {
          const y = i * rowH + 16;
          const name = props.name ? props.name(r.key) : r.key;
          const below = r.ci95 ? r.ci95.hi < props.target : false;
          return (
            <g key={r.key}>
              <text x={left - 8} y={y + 4} text-anchor="end" class="label">
                {name.length > 22 ? `${name.slice(0, 21)}…` : name}
              </text>
              {r.ci95 ? <line x1={x(r.ci95.lo)} x2={x(r.ci95.hi)} y1={y} y2={y} class={below ? 'ci low' : 'ci'} /> : null}
              {r.precision !== null ? <circle cx={x(r.precision)} cy={y} r={5} class={below ? 'dot low' : 'dot'} /> : null}
              <text x={w - 55} y={y + 4} class="axis">
                {r.precision === null ? '—' : `${Math.round(r.precision * 100)}%`} n={r.verified}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
