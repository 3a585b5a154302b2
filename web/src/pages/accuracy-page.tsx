import { BarChart } from '../components/bar-chart.tsx';
import { PrecisionPlot, type PrecisionRow } from '../components/precision-plot.tsx';
import { useEventTypes } from '../event-types.ts';
import { t } from '../i18n.ts';
import { useData } from '../use-data.ts';

interface Report {
  readonly targetPrecision: number;
  readonly verified: number;
  readonly overall: PrecisionRow;
  readonly byEventType: readonly PrecisionRow[];
  readonly byCamera: readonly PrecisionRow[];
  readonly byModel: readonly PrecisionRow[];
  readonly byConfidence: readonly (PrecisionRow & { from: number; to: number })[];
  readonly timeToVerdict: { readonly byEventType: readonly { eventType: string; medianMs: number | null; p90Ms: number | null }[] };
  readonly thresholds: readonly ({ eventType: string; verified: number } & ({ reachable: true; threshold: number; precision: number; lostShare: number } | { reachable: false; bestPrecision: number | null }))[];
}

const pct = (p: number | null | undefined): string => (p === null || p === undefined ? '—' : `${Math.round(p * 100)}%`);
const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 6000) / 10);

/** Accuracy: precision per type, camera, model and confidence band with CIs, thresholds, time to verdict. */
export function AccuracyPage() {
  const types = useEventTypes();
  const r = useData<Report>('/api/accuracy');
  if (r.error) return <p class="error">{t('common.error', { msg: r.error.message })}</p>;
  if (!r.data) return <p>{t('common.loading')}</p>;
  const a = r.data;
  const target = a.targetPrecision;
  return (
    <section>
      <h1>{t('acc.title')}</h1>
      <p class="big-number">
        {t('acc.overall')}: <strong>{pct(a.overall.precision)}</strong>
        {a.overall.ci95 ? ` (95% CI ${pct(a.overall.ci95.lo)}–${pct(a.overall.ci95.hi)})` : ''} · {t('acc.verified', { n: a.verified })}
      </p>
      {a.verified === 0 ? <p class="muted">{t('acc.noData')}</p> : null}
      <div class="charts">
        <PrecisionPlot title={t('acc.byType')} rows={a.byEventType} target={target} name={types.name} />
        <PrecisionPlot title={t('acc.byCamera')} rows={a.byCamera} target={target} />
        <PrecisionPlot title={t('acc.byModel')} rows={a.byModel} target={target} />
        <PrecisionPlot title={t('acc.byBand')} rows={a.byConfidence.map((b) => ({ ...b, key: `${b.from.toFixed(2)}–${b.to.toFixed(2)}` }))} target={target} />
        <BarChart
          title={t('acc.ttv')}
          unit="min"
          categories={a.timeToVerdict.byEventType.map((x) => types.name(x.eventType))}
          series={[
            { label: 'median', values: a.timeToVerdict.byEventType.map((x) => minutes(x.medianMs)), color: '#38bdf8' },
            { label: 'p90', values: a.timeToVerdict.byEventType.map((x) => minutes(x.p90Ms)), color: '#a78bfa' },
          ]}
        />
      </div>
      <h2>{t('acc.threshold')}</h2>
      <table class="table">
        <tbody>
          {a.thresholds.map((x) => (
            <tr key={x.eventType}>
              <th>{types.name(x.eventType)}</th>
              <td>
                {x.reachable
                  ? `≥ ${x.threshold.toFixed(2)} → ${pct(x.precision)} (−${pct(x.lostShare)} confirmed)`
                  : `${pct(target)} not reachable (best ${pct(x.bestPrecision)})`}
              </td>
              <td class="muted">n={x.verified}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
