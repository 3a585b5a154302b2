import { useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { useLive } from '../live.ts';
import { navigate } from '../router.ts';

const ENDED = new Set(['closed', 'rejected']);

/**
 * The header's overdue notice: cases the live feed reported past their deadline since this page
 * was opened, on every page; a click opens the board on the overdue cases and clears the count.
 */
export function OverdueNotice() {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  useLive((e) => {
    if (e.kind === 'overdue' && !ids.has(e.case.id)) setIds((s) => new Set([...s, e.case.id]));
    // A case closed or rejected since is no longer news.
    if (e.kind === 'case' && ENDED.has(e.case.status) && ids.has(e.case.id)) setIds((s) => new Set([...s].filter((id) => id !== e.case.id)));
  });
  if (!ids.size) return null;
  return (
    <button
      type="button"
      class="badge overdue-notice"
      id="overdue-notice"
      aria-live="polite"
      onClick={() => {
        setIds(new Set());
        navigate('/cases?overdue=true');
      }}
    >
      {t('overdue.notice', { n: ids.size })}
    </button>
  );
}
