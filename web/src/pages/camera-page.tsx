import { useState } from 'preact/hooks';
import { send } from '../api.ts';
import { FrameView } from '../components/frame-view.tsx';
import { HealthBadge } from '../components/health-badge.tsx';
import { Link } from '../components/link.tsx';
import { age, when } from '../format.ts';
import { t } from '../i18n.ts';
import { useLive } from '../live.ts';
import { may, useSession } from '../session.ts';
import { useData } from '../use-data.ts';
import type { ApiCamera } from './cameras-page.tsx';

interface Visit {
  readonly jobId: string;
  readonly ok: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly frames: number;
  readonly error?: string;
  readonly evidence?: string;
  readonly sourceWidth?: number;
  readonly sourceHeight?: number;
  readonly detections: readonly (readonly { label: string; score: number; box: readonly number[] }[])[];
}

/** One camera: latest frame with its zones and detections, recent visits, visit-now. */
export function CameraPage(props: { id: string }) {
  const session = useSession();
  const id = encodeURIComponent(props.id);
  const cam = useData<ApiCamera>(`/api/cameras/${id}`);
  const visits = useData<{ visits: Visit[] }>(`/api/cameras/${id}/visits?limit=20`);
  const [queued, setQueued] = useState(false);
  useLive((e) => {
    if (e.kind === 'visit' && e.cameraId === props.id) {
      visits.reload();
      cam.reload();
    }
  });
  if (cam.error) return <p class="error">{t('common.error', { msg: cam.error.message })}</p>;
  if (!cam.data) return <p>{t('common.loading')}</p>;
  const c = cam.data;
  const latest = visits.data?.visits.find((v) => v.evidence);
  return (
    <section class="camera-page">
      <p>
        <Link href="/cameras">← {t('common.back')}</Link>
      </p>
      <div class="toolbar">
        <h1>{c.name}</h1>
        <HealthBadge state={c.health.state} />
        <span class="muted">
          {c.areaType} · {c.grid} · {c.priority}
        </span>
        {may(session, 'control') ? (
        <button
          type="button"
          class="primary"
          onClick={() =>
            void send('/api/patrol/visit-now', { cameraId: props.id }, { retries: 2 }).then(
              () => setQueued(true),
              () => undefined,
            )
          }
        >
          {t('cam.visitNow')}
        </button>
        ) : null}
        {queued ? <span role="status">{t('cam.queued')}</span> : null}
      </div>
      <div class="camera-main">
        <FrameView src={latest ? `/api/cameras/${id}/latest.jpg?at=${latest.finishedAt}` : null} alt={c.name} zones={c.zones} boxes={latest?.detections[0] ?? []} aspect={latest?.sourceWidth && latest.sourceHeight ? latest.sourceWidth / latest.sourceHeight : undefined} />
        <div>
          <p class="muted">{age(latest?.finishedAt)}</p>
          {c.health.lastError ? (
            <p>
              {t('cams.lastError')}: {c.health.lastError.message}
            </p>
          ) : null}
          <h2>{t('cam.visits')}</h2>
          <ol class="visits">
            {(visits.data?.visits ?? []).map((v) => (
              <li key={v.jobId + v.startedAt} class={v.ok ? '' : 'late'}>
                <time>{when(v.finishedAt)}</time> ·{' '}
                {v.ok ? t('cam.visitOk', { frames: v.frames, dets: v.detections.reduce((n, f) => n + f.length, 0) }) : t('cam.visitFail', { err: v.error ?? '' })}
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}
