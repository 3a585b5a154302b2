import { Link } from '../components/link.tsx';
import { CASE_STAGES, type CaseStage, caseStage } from '../case-stage.ts';
import { t } from '../i18n.ts';
import { type LiveCase, useLiveReload } from '../live.ts';
import { useData } from '../use-data.ts';
import type { ApiCamera } from './cameras-page.tsx';

const COLORS: Record<string, string> = { online: '#22c55e', degraded: '#f59e0b', offline: '#ef4444', unknown: '#94a3b8' };

/**
 * The district map, drawn offline as SVG: each grid as the box around its cameras, cameras as
 * dots coloured by health (from the config's optional `location`, 0-1), and a ring round each
 * camera with active cases, styled by the most urgent stage it has (case-stage.ts; the label counts
 * every stage, so colour is never the only cue).
 */
export function MapPage() {
  const cams = useData<{ cameras: ApiCamera[] }>('/api/cameras');
  const open = useData<{ cases: LiveCase[] }>('/api/cases?status=active&limit=200&order=desc');
  useLiveReload((e) => e.kind === 'case', open.reload);
  useLiveReload((e) => e.kind === 'health', cams.reload);
  const all = cams.data?.cameras ?? [];
  const placed = all.filter((c) => c.location);
  const W = 1000;
  const H = 700;
  const grids = [...new Set(placed.map((c) => c.grid))].map((g) => {
    const pts = placed.filter((c) => c.grid === g).map((c) => c.location!);
    const x1 = Math.min(...pts.map((p) => p.x)) * W - 30;
    const y1 = Math.min(...pts.map((p) => p.y)) * H - 30;
    const x2 = Math.max(...pts.map((p) => p.x)) * W + 30;
    const y2 = Math.max(...pts.map((p) => p.y)) * H + 30;
    return { g, x1, y1, x2, y2 };
  });
  const casesAt = (id: string): number => (open.data?.cases ?? []).filter((c) => c.cameraId === id).length;
  const stagesAt = (id: string): [CaseStage, number][] => {
    const here = (open.data?.cases ?? []).filter((c) => c.cameraId === id).map((c) => caseStage(c.status));
    return CASE_STAGES.map((s): [CaseStage, number] => [s, here.filter((x) => x === s).length]).filter(([, n]) => n > 0);
  };
  const counts = (id: string): string => stagesAt(id).map(([s, n]) => `${n} ${t(`map.stage.${s}`)}`).join(' · ');
  return (
    <section>
      <h1>{t('map.title')}</h1>
      <p class="muted">{t('map.legend')}</p>
      <svg viewBox={`0 0 ${W} ${H}`} class="map">
        <title>{t('map.title')}</title>
        <rect x={0} y={0} width={W} height={H} class="map-bg" />
        {grids.map((g) => (
          <g key={g.g}>
            <rect x={g.x1} y={g.y1} width={g.x2 - g.x1} height={g.y2 - g.y1} class="map-grid" rx={12} />
            <text x={g.x1 + 8} y={g.y1 + 20} class="map-grid-label">
              {g.g}
            </text>
          </g>
        ))}
        {placed.map((c) => {
          const x = c.location!.x * W;
          const y = c.location!.y * H;
          const n = casesAt(c.id);
          const stages = stagesAt(c.id);
          return (
            <a key={c.id} href={`/cameras/${encodeURIComponent(c.id)}`} data-camera-id={c.id} data-case-stages={stages.map(([s]) => s).join(' ')}>
              {n ? <circle cx={x} cy={y} r={14 + Math.min(n, 5) * 3} class={`map-case map-case-${stages[0]?.[0] ?? 'verdict'}`} /> : null}
              <circle cx={x} cy={y} r={8} fill={COLORS[c.health.state ?? 'unknown'] ?? COLORS.unknown} />
              <text x={x + 12} y={y + 4} class="map-label">
                {c.name}
                {n ? ` (${counts(c.id)})` : ''}
              </text>
            </a>
          );
        })}
      </svg>
      {all.length > placed.length ? (
        <>
          <h2>{t('map.unplaced')}</h2>
          <ul>
            {all
              .filter((c) => !c.location)
              .map((c) => (
                <li key={c.id}>
                  <Link href={`/cameras/${encodeURIComponent(c.id)}`}>{c.name}</Link> · {c.grid} {casesAt(c.id) ? `· ${counts(c.id)}` : ''}
                </li>
              ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
