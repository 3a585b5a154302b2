import { useState } from 'preact/hooks';
import { evidenceUrl } from '../evidence-url.ts';
import { send } from '../api.ts';
import { SeverityBadge } from '../components/health-badge.tsx';
import { ShadowBadge } from '../components/shadow-badge.tsx';
import { Link } from '../components/link.tsx';
import { OperatorActions } from '../components/operator-actions.tsx';
import { useEventTypes } from '../event-types.ts';
import { timeLeft, when, label } from '../format.ts';
import { t } from '../i18n.ts';
import { useLiveReload } from '../live.ts';
import { actor, byField, may, useSession } from '../session.ts';
import { useData } from '../use-data.ts';
import { useUnits } from '../units.ts';
import { AlertLine } from '../components/alert-line.tsx';

interface CaseDetail {
  readonly case: {
    readonly id: string;
    readonly eventType: string;
    readonly severity: string;
    readonly status: string;
    readonly cameraId: string;
    readonly grid: string;
    readonly zone: string | null;
    readonly openedAt: number;
    readonly lastSeenAt: number;
    readonly deadline: number;
    readonly count: number;
    readonly confidence: number;
    readonly responsibleUnit: string;
    readonly level: string;
    readonly shadow?: boolean;
    readonly claimedBy?: string;
    readonly boxes: readonly { label: string; score: number }[];
    readonly evidence: Readonly<Record<string, string | undefined>>;
  };
  readonly audit: readonly { at: number; by: string; action: string; detail?: Record<string, unknown> }[];
}

/** A detail value in words: times (keys ending in At, the deadline) as local time, fractions to two places. */
const value = (k: string, v: unknown): string =>
  typeof v === 'number' && (k.endsWith('At') || k === 'deadline') && v > 1e12 ? when(v) : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** An audit entry's details in words: key: value, without the evidence hashes. */
const details = (d: Record<string, unknown>): string =>
  Object.entries(d)
    .filter(([k, v]) => k !== 'evidence' && k !== 'place' && v !== undefined && v !== null)
    .map(([k, v]) => `${k}: ${value(k, v)}`)
    .join(' · ');

/** One case: evidence first, then facts, the audit trail and the operator's actions. */
export function CasePage(props: { id: string }) {
  const session = useSession();
  const types = useEventTypes();
  const units = useUnits();
  const d = useData<CaseDetail>(`/api/cases/${encodeURIComponent(props.id)}`);
  const [msg, setMsg] = useState('');
  // Someone else's step on this case (or its overdue flag) arrives on the live feed: read it again.
  useLiveReload((e) => (e.kind === 'case' || e.kind === 'overdue') && e.case.id === props.id, d.reload);
  if (d.error) return <p class="error">{t('common.error', { msg: d.error.message })}</p>;
  if (!d.data) return <p>{t('common.loading')}</p>;
  const c = d.data.case;
  /** A grid worker's step (claim, verdict) or taking a claim back; the server's message on failure. */
  const act = async (action: string, body: Record<string, unknown>): Promise<void> => {
    try {
      await send(`/api/cases/${encodeURIComponent(c.id)}/${action}`, { ...byField(session, actor(session)), ...body }, { retries: 2 });
      setMsg('');
      d.reload();
    } catch (err) {
      setMsg((err as Error).message);
    }
  };
  const ev = c.evidence;
  const shots: [string, string | undefined][] = [
    [t('case.first'), ev.first],
    [t('case.latest'), ev.latest],
    [t('case.handledPhoto'), ev.handledPhoto],
    // The re-check's pair: the best sighting before handling beside the frame the patrol took after.
    [t('case.before'), ev.after ? (ev.best ?? ev.first) : undefined],
    [t('case.after'), ev.after],
  ];
  return (
    <section class="case-page">
      <p>
        <Link href="/cases">← {t('common.back')}</Link>
      </p>
      <h1>
        {types.name(c.eventType)} <SeverityBadge severity={c.severity} /> <ShadowBadge shadow={c.shadow} /> <span class="status">{label('status', c.status)}</span>
      </h1>
      {c.shadow ? <p class="shadow-note">{t('shadow.hint')}</p> : null}
      <h2>{t('case.evidence')}</h2>
      <div class="evidence">
        {shots
          .filter(([, p]) => p)
          .map(([name, p]) => (
            <figure key={name}>
              <img src={evidenceUrl(c.id, p ?? '')} alt={name} />
              <figcaption>{name}</figcaption>
            </figure>
          ))}
      </div>
      <dl class="facts">
        <dt>{t('case.camera')}</dt>
        <dd>
          <Link href={`/cameras/${encodeURIComponent(c.cameraId)}`}>{c.cameraId}</Link> · {c.grid}
        </dd>
        <dt>{t('case.zone')}</dt>
        <dd>{c.zone ?? '—'}</dd>
        <dt>{t('case.deadline')}</dt>
        <dd>
          {when(c.deadline)} ({timeLeft(c.deadline)})
        </dd>
        <dt>{t('case.unit')}</dt>
        <dd id="case-unit" data-unit={c.responsibleUnit}>
          {units.name(c.responsibleUnit)} · {label('level', c.level)}
        </dd>
        <dt>{t('case.confidence')}</dt>
        <dd>
          {Math.round(c.confidence * 100)}% · {c.boxes.map((b) => `${b.label} ${Math.round(b.score * 100)}`).join(', ')}
        </dd>
        <dt>{t('case.count')}</dt>
        <dd>{c.count}</dd>
      </dl>
      <h2>{t('case.actions')}</h2>
      <div class="actions">
        {may(session, 'work') ? (
          <>
            <button type="button" onClick={() => void act('claim', {})}>
              {t('worker.claim')}
            </button>
            <button type="button" onClick={() => void act('verdict', { verdict: 'confirmed' })}>
              {t('worker.confirm')}
            </button>
            <button type="button" onClick={() => void act('verdict', { verdict: 'rejected', reason: 'false_detection' })}>
              {t('worker.reject')}
            </button>
          </>
        ) : null}
        {may(session, 'manage') && c.claimedBy ? (
          <button type="button" onClick={() => void act('break-claim', {})}>
            {t('case.breakClaim', { who: c.claimedBy })}
          </button>
        ) : null}
      </div>
      {may(session, 'manage') ? <OperatorActions c={c} onDone={d.reload} /> : null}
      <AlertLine msg={msg} />
      <h2>{t('case.audit')}</h2>
      <ol class="audit">
        {d.data.audit.map((a, i) => (
          <li key={i}>
            <time>{when(a.at)}</time> <strong>{a.action}</strong> · {a.by}
            {a.detail ? <span class="muted"> {details(a.detail)}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
