import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.ts';
import { t } from '../i18n.ts';
import { useLive } from '../live.ts';
import { navigate } from '../router.ts';

const ENDED = new Set(['closed', 'rejected']);
/** The first page of overdue cases the notice starts from (the board pages through the rest). */
const INITIAL = '/api/cases?overdue=true&limit=200&order=desc';

/**
 * The header's overdue notice, on every page: the active overdue cases the record holds when the
 * page opens (GET /api/cases?overdue=true), then kept up by the live feed (new overdue cases added,
 * closed or rejected ones dropped). A click opens the board on the overdue cases and clears the
 * count (later notices count again).
 */
export function OverdueNotice() {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const ac = new AbortController();
    getJson<{ cases: { id: string; status: string }[] }>(INITIAL, ac.signal)
      .then((page) => setIds((s) => new Set([...s, ...page.cases.filter((c) => !ENDED.has(c.status)).map((c) => c.id)])))
      // No right to list cases, or the record away: the feed still brings new notices.
      .catch(() => undefined);
    return () => ac.abort();
  }, []);
  useLive((e) => {
    if (e.kind === 'overdue' && !ENDED.has(e.case.status)) setIds((s) => (s.has(e.case.id) ? s : new Set([...s, e.case.id])));
    // A case closed or rejected since is no longer news.
    if (e.kind === 'case' && ENDED.has(e.case.status)) setIds((s) => (s.has(e.case.id) ? new Set([...s].filter((id) => id !== e.case.id)) : s));
  });
  if (!ids.size) return null;
  return (
    <button
      type="button"
      class="badge overdue-notice"
      id="overdue-notice"
      aria-live="polite"
      data-count={ids.size}
      onClick={() => {
        setIds(new Set());
        navigate('/cases?overdue=true');
      }}
    >
      {t('overdue.notice', { n: ids.size })}
    </button>
  );
}
