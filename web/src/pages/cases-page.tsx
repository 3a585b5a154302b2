import { useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { CaseCard } from '../components/case-card.tsx';
import { useEventTypes } from '../event-types.ts';
import { label } from '../format.ts';
import { t } from '../i18n.ts';
import type { LiveCase } from '../live.ts';
import { useLive } from '../live.ts';
import { useData } from '../use-data.ts';

interface CaseList {
  readonly cases: (LiveCase & { responsibleUnit?: string })[];
  readonly nextCursor: string | null;
}

/** The durable record's statuses (pipeline/cases/case-model.ts CASE_STATUSES), with "pending" (waiting for a verdict). */
const STATUSES = ['pending', 'opened', 'dispatched', 'accepted', 'handled', 'rechecking', 'closed', 'reopened', 'rejected', 'escalated'];

/** The case board: filters by status, type, grid, unit, overdue; newest first; updates live. */
export function CasesPage() {
  const types = useEventTypes();
  const cams = useData<{ cameras: { id: string; name: string; grid: string }[] }>('/api/cameras');
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [grid, setGrid] = useState('');
  const [unit, setUnit] = useState('');
  const [overdue, setOverdue] = useState(false);
  const [more, setMore] = useState<CaseList['cases']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const q = new URLSearchParams({ limit: '50', order: 'desc' });
  if (status) q.set('status', status);
  if (type) q.set('type', type);
  if (grid) q.set('grid', grid);
  const list = useData<CaseList>(`/api/cases?${q.toString()}`);
  useLive((e) => {
    if (e.kind === 'case') list.reload();
  });
  const grids = [...new Set((cams.data?.cameras ?? []).map((c) => c.grid))].sort();
  const all = [...(list.data?.cases ?? []), ...more];
  const units = [...new Set(all.map((c) => c.responsibleUnit).filter((u): u is string => !!u))].sort();
  const now = Date.now();
  const shown = all.filter((c) => (!unit || c.responsibleUnit === unit) && (!overdue || (c.deadline !== undefined && c.deadline < now && !['rejected', 'resolved', 'closed'].includes(c.status))));
  const nextCursor = more.length ? cursor : (list.data?.nextCursor ?? null);
  const reset = (): void => {
    setMore([]);
    setCursor(null);
  };
  return (
    <section>
      <div class="toolbar">
        <h1>{t('cases.title')}</h1>
        <label>
          {t('cases.status')}{' '}
          <select value={status} onChange={(e) => (setStatus(e.currentTarget.value), reset())}>
            <option value="">{t('common.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {label('status', s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('cases.type')}{' '}
          <select value={type} onChange={(e) => (setType(e.currentTarget.value), reset())}>
            <option value="">{t('common.all')}</option>
            {types.list.map((x) => (
              <option key={x.id} value={x.id}>
                {types.name(x.id)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('cases.grid')}{' '}
          <select value={grid} onChange={(e) => (setGrid(e.currentTarget.value), reset())}>
            <option value="">{t('common.all')}</option>
            {grids.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('cases.unit')}{' '}
          <select value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
            <option value="">{t('common.all')}</option>
            {units.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.currentTarget.checked)} /> {t('cases.overdueOnly')}
        </label>
        <span class="muted">{t('cases.count', { n: shown.length })}</span>
      </div>
      {list.error ? <p class="error">{t('common.error', { msg: list.error.message })}</p> : null}
      <div class="case-grid">
        {shown.map((c) => (
          <CaseCard key={c.id} c={c} cameraName={cams.data?.cameras.find((x) => x.id === c.cameraId)?.name} />
        ))}
      </div>
      {nextCursor ? (
        <button
          type="button"
          onClick={() =>
            void getJson<CaseList>(`/api/cases?${q.toString()}&cursor=${encodeURIComponent(nextCursor)}`).then((r) => {
              setMore((m) => [...m, ...r.cases]);
              setCursor(r.nextCursor);
            })
          }
        >
          {t('cases.more')}
        </button>
      ) : null}
    </section>
  );
}
