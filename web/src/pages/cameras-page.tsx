import { Link } from '../components/link.tsx';
import { HealthBadge } from '../components/health-badge.tsx';
import { age, when } from '../format.ts';
import { t } from '../i18n.ts';
import { useLive } from '../live.ts';
import { useData } from '../use-data.ts';

/** A camera as GET /api/cameras lists it. */
export interface ApiCamera {
  readonly id: string;
  readonly name: string;
  readonly areaType: string;
  readonly grid: string;
  readonly priority: string;
  readonly enabled: boolean;
  readonly url: string;
  readonly location?: { x: number; y: number };
  readonly zones: readonly { name: string; kind?: string; points: readonly (readonly number[])[] }[];
  readonly health: {
    readonly state?: string;
    readonly lastError?: { code: string; message: string; at: number };
    readonly lastSuccessAt?: number;
    readonly quarantinedUntil?: number;
  };
}

const ORDER = ['offline', 'degraded', 'unknown', 'online'];

/** Health board: worst first, last error in words, next retry. */
export function CamerasPage() {
  const d = useData<{ cameras: ApiCamera[] }>('/api/cameras');
  useLive((e) => {
    if (e.kind === 'health') d.reload();
  });
  const cams = [...(d.data?.cameras ?? [])].sort((a, b) => ORDER.indexOf(a.health.state ?? 'unknown') - ORDER.indexOf(b.health.state ?? 'unknown') || a.name.localeCompare(b.name));
  return (
    <section>
      <div class="toolbar">
        <h1>{t('cams.title')}</h1>
        <button type="button" onClick={d.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <table class="table stack-on-phone">
        <thead>
          <tr>
            <th>{t('case.camera')}</th>
            <th>{t('cases.grid')}</th>
            <th>{t('case.status')}</th>
            <th>{t('cams.lastOk')}</th>
            <th>{t('cams.lastError')}</th>
            <th>{t('cams.nextRetry')}</th>
          </tr>
        </thead>
        <tbody>
          {cams.map((c) => (
            <tr key={c.id} data-camera-id={c.id}>
              <td>
                <Link href={`/cameras/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                <div class="muted">{c.areaType}</div>
              </td>
              <td data-label={t('cases.grid')}>{c.grid}</td>
              <td data-label={t('case.status')}>
                <HealthBadge state={c.health.state} />
              </td>
              <td data-label={t('cams.lastOk')}>{age(c.health.lastSuccessAt)}</td>
              <td data-label={t('cams.lastError')}>{c.health.lastError ? `${c.health.lastError.message} (${when(c.health.lastError.at)})` : '—'}</td>
              <td data-label={t('cams.nextRetry')}>{c.health.quarantinedUntil ? when(c.health.quarantinedUntil) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
