import { timeLeft, when, label } from '../format.ts';
import { evidenceUrl } from '../evidence-url.ts';
import type { LiveCase } from '../live.ts';
import { useEventTypes } from '../event-types.ts';
import { SeverityBadge } from './health-badge.tsx';
import { ShadowBadge } from './shadow-badge.tsx';
import { Link } from './link.tsx';

/** Statuses in which a case is still being worked on (its deadline counts). */
const ACTIVE = ['open', 'claimed', 'confirmed', 'dispatched', 'accepted', 'reopened', 'escalated'];

/** A case in a list: thumbnail, type, camera, severity, status, time left. */
export function CaseCard(props: { c: LiveCase; cameraName?: string; fresh?: boolean; note?: string }) {
  const types = useEventTypes();
  const c = props.c;
  const overdue = c.deadline !== undefined && c.deadline < Date.now() && ACTIVE.includes(c.status);
  return (
    <article class={`case-card${props.fresh ? ' fresh' : ''}${overdue ? ' overdue' : ''} sev-edge-${c.severity}`} data-case-id={c.id}>
      {c.evidence?.latest ? <img class="thumb" src={evidenceUrl(c.id, c.evidence.latest)} alt="" loading="lazy" /> : <div class="thumb" />}
      <div class="case-body">
        <h3>
          <Link href={`/cases/${encodeURIComponent(c.id)}`}>{types.name(c.eventType)}</Link>
        </h3>
        <p>
          <SeverityBadge severity={c.severity} /> <ShadowBadge shadow={c.shadow} /> <span class="status">{label('status', c.status)}</span> {props.note ? <strong class="note">{props.note}</strong> : null}
        </p>
        <p class="muted">
          {props.cameraName ?? c.cameraId}
          {c.grid ? ` · ${c.grid}` : ''} · {when(c.openedAt)}
        </p>
        {c.deadline && ACTIVE.includes(c.status) ? <p class={overdue ? 'late' : 'muted'}>{timeLeft(c.deadline)}</p> : null}
      </div>
    </article>
  );
}
