import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { CaseCard } from '../components/case-card.tsx';
import { useEventTypes } from '../event-types.ts';
import { label } from '../format.ts';
import { t } from '../i18n.ts';
import { type LiveCase, useLiveReload } from '../live.ts';
import { useLocation } from '../router.ts';
import { useUnits } from '../units.ts';
import { useData } from '../use-data.ts';

interface CaseList {
  readonly cases: (LiveCase & { responsibleUnit?: string })[];
  readonly nextCursor: string | null;
}

/** The durable record's statuses (pipeline/cases/case-model.ts CASE_STATUSES), with "pending" (waiting for a verdict). */
const STATUSES = ['pending', 'opened', 'dispatched', 'accepted', 'handled', 'rechecking', 'closed', 'reopened', 'rejected', 'escalated'];

/**
 * The case board: filters by status, type, grid, unit, overdue, all applied by the server
 * (GET /api/cases), so "load more" pages through the filtered list; newest first; updates live.
 * `?overdue=true` opens it on the overdue cases (the header's overdue notice links there).
 */
export function CasesPage() {
  const types = useEventTypes();
  const unitList = useUnits();
  const { query } = useLocation();
  const cams = useData<{ cameras: { id: string; name: string; grid: string }[] }>('/api/cameras');
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [grid, setGrid] = useState('');
  const [unit, setUnit] = useState('');
  const [overdue, setOverdue] = useState(query.get('overdue') === 'true');
  const [more, setMore] = useState<CaseList['cases']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const q = new URLSearchParams({ limit: '50', order: 'desc' });
  if (status) q.set('status', status);
  if (type) q.set('type', type);
  if (grid) q.set('grid', grid);
  if (unit) q.set('unit', unit);
  if (overdue) q.set('overdue', 'true');
  const list = useData<CaseList>(`/api/cases?${q.toString()}`);
  useLiveReload((e) => e.kind === 'case' || e.kind === 'overdue', list.reload);
  // The header's overdue notice links to ?overdue=true, also while this page is open.
  const wantOverdue = query.get('overdue') === 'true';
  useEffect(() => {
    if (wantOverdue) setOverdue(true);
  }, [wantOverdue]);
  const grids = [...new Set((cams.data?.cameras ?? []).map((c) => c.grid))].sort();
  const all = [...(list.data?.cases ?? []), ...more];
  // The configured units, and any unit a listed case names that the list lacks (an older case's).
  const units = [...new Set([...unitList.list.map((u) => u.id), ...all.map((c) => c.responsibleUnit).filter((u): u is string => !!u), ...(unit ? [unit] : [])])].sort();
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
          <select value={unit} onChange={(e) => (setUnit(e.currentTarget.value), reset())}>
            <option value="">{t('common.all')}</option>
            {units.map((u) => (
              <option key={u} value={u}>
                {unitList.name(u)}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={overdue} onChange={(e) => (setOverdue(e.currentTarget.checked), reset())} /> {t('cases.overdueOnly')}
        </label>
        <span class="muted">{t('cases.count', { n: all.length })}</span>
      </div>
      {list.error ? <p class="error">{t('common.error', { msg: list.error.message })}</p> : null}
      <div class="case-grid">
        {all.map((c) => (
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
