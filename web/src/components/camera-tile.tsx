import { age } from '../format.ts';
import { t } from '../i18n.ts';
import { FrameView, type FrameBox } from './frame-view.tsx';
import { HealthBadge } from './health-badge.tsx';

/** A wall tile as GET /api/wall/tiles returns it. */
export interface WallTile {
  readonly camera: { readonly id: string; readonly name: string; readonly areaType: string; readonly grid: string; readonly priority: string };
  readonly health: { readonly state?: string };
  readonly latest: { readonly at: number; readonly frameUrl: string; readonly detections: readonly FrameBox[] } | null;
}

/** One camera on the wall: latest frame with detections, name, area, health and frame age. */
export function CameraTile(props: { tile: WallTile; now: number; pinned: boolean; onPin: () => void; onOpen: () => void }) {
  const { camera, latest, health } = props.tile;
  return (
    <figure class={`tile${props.pinned ? ' pinned' : ''}`} data-camera-id={camera.id} data-frame-at={latest?.at ?? ''}>
      <FrameView src={latest?.frameUrl ?? null} alt={camera.name} boxes={latest?.detections ?? []} />
      <figcaption>
        <span class="tile-name">{camera.name}</span>
        <span class="tile-area">
          {camera.areaType} · {camera.grid}
        </span>
        <HealthBadge state={health.state} />
        <span class="tile-age">{age(latest?.at, props.now)}</span>
        <span class="tile-actions">
          <button type="button" onClick={props.onPin} aria-pressed={props.pinned}>
            {props.pinned ? t('wall.unpin') : t('wall.pin')}
          </button>
          <button type="button" onClick={props.onOpen}>
            {t('wall.open')}
          </button>
        </span>
      </figcaption>
    </figure>
  );
}
