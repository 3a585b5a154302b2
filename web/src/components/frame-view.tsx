/** A detection box on a frame, 0-1 coordinates [x1, y1, x2, y2]. */
export interface FrameBox {
  readonly label: string;
  readonly score: number;
  readonly box: readonly number[];
}

/** A zone polygon, 0-1 points. */
export interface FrameZone {
  readonly name: string;
  readonly points: readonly (readonly number[])[];
}

/** A camera frame with its detections (and zones) drawn over it as SVG, scaled with the image. */
export function FrameView(props: { src: string | null; alt: string; boxes?: readonly FrameBox[]; zones?: readonly FrameZone[]; highlight?: readonly number[] | null; aspect?: number }) {
  // The boxes are 0-1 of the frame, so the box keeps the frame's own aspect when known (16:9 otherwise).
  return (
    <div class="frame" style={props.aspect ? { aspectRatio: String(props.aspect) } : undefined}>
      {props.src ? <img src={props.src} alt={props.alt} loading="lazy" decoding="async" /> : <div class="frame-empty" role="img" aria-label={props.alt} />}
      <svg viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
        {(props.zones ?? []).map((z) => (
          <polygon key={z.name} class="zone" points={z.points.map((p) => `${p[0]},${p[1]}`).join(' ')} />
        ))}
        {props.highlight ? <rect class="place" x={props.highlight[0]} y={props.highlight[1]} width={(props.highlight[2] ?? 0) - (props.highlight[0] ?? 0)} height={(props.highlight[3] ?? 0) - (props.highlight[1] ?? 0)} /> : null}
        {(props.boxes ?? []).map((b, i) => {
          const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = b.box;
          return <rect key={i} class="det" x={x1} y={y1} width={x2 - x1} height={y2 - y1} />;
        })}
      </svg>
      {(props.boxes ?? []).length ? (
        <ul class="det-labels" aria-hidden="true">
          {(props.boxes ?? []).slice(0, 12).map((b, i) => (
            <li key={i} style={{ left: `${(b.box[0] ?? 0) * 100}%`, top: `${(b.box[1] ?? 0) * 100}%` }}>
              {b.label} {Math.round(b.score * 100)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
