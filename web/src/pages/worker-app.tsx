import { useEffect, useRef, useState } from 'preact/hooks';
import { evidenceUrl } from '../evidence-url.ts';
import { ApiError, send } from '../api.ts';
import { SeverityBadge } from '../components/health-badge.tsx';
import { ShadowBadge } from '../components/shadow-badge.tsx';
import { useEventTypes } from '../event-types.ts';
import { label, timeLeft, when } from '../format.ts';
import { t } from '../i18n.ts';
import { type LiveCase, useLiveReload } from '../live.ts';
import { base64Of, photoForUpload } from '../photo.ts';
import { actor, byField, type Session, useSession } from '../session.ts';
import { useData } from '../use-data.ts';
import { useInterval } from '../use-interval.ts';
import { AlertLine } from '../components/alert-line.tsx';

type WorkerCase = LiveCase & { readonly claimedBy?: string; readonly claimExpiresAt?: number; readonly zone?: string | null; readonly responsibleUnit?: string };

/**
 * Where a case is for a grid worker on the record's loop: opened / dispatched / escalated wait for
 * a verdict, accepted and reopened wait to be handled (then handled -> rechecking -> closed); claims
 * are leases beside the status.
 */
const AWAITING_VERDICT = ['opened', 'dispatched', 'escalated'];
const TO_HANDLE = ['accepted', 'reopened'];
const claimHeld = (c: WorkerCase, now: number): boolean => !!c.claimedBy && (c.claimExpiresAt === undefined || c.claimExpiresAt > now);

const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const REASONS = ['false_detection', 'wrong_event_type', 'duplicate', 'not_a_violation'];
/** Largest photo the app uploads; the server checks again. */
const MAX_PHOTO = 8 * 1024 * 1024;

/** Most urgent first, then newest. */
const byUrgency = (a: WorkerCase, b: WorkerCase): number => (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9) || (b.openedAt ?? 0) - (a.openedAt ?? 0);

/** The grid worker's phone app: my cases, claim, confirm or reject, mark handled with an after-photo. */
export function WorkerApp() {
  const session = useSession();
  const [who, setWho] = useState(actor(session));
  const grids = session.state === 'signed-in' ? session.user.grids : [];
  const list = useData<{ cases: WorkerCase[] }>('/api/cases?status=pending&order=desc&limit=100');
  // Cases to handle: accepted (confirmed by a worker) or reopened by the re-check.
  const accepted = useData<{ cases: WorkerCase[] }>('/api/cases?status=accepted&order=desc&limit=100');
  const reopened = useData<{ cases: WorkerCase[] }>('/api/cases?status=reopened&order=desc&limit=100');
  const done = {
    data: accepted.data || reopened.data ? { cases: [...(accepted.data?.cases ?? []), ...(reopened.data?.cases ?? [])] } : undefined,
    reload: () => {
      accepted.reload();
      reopened.reload();
    },
  };
  const cams = useData<{ cameras: { id: string; name: string }[] }>('/api/cameras');
  const camName = (id: string): string => cams.data?.cameras.find((c) => c.id === id)?.name ?? id;
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [, tick] = useState(0);
  useLiveReload((e) => e.kind === 'case' || e.kind === 'overdue', () => {
    list.reload();
    done.reload();
  });
  // Cases and overdue flags come from the live feed; this only redraws the "time left" lines.
  useInterval(() => tick((n) => n + 1), 30_000);
  const all = [...(list.data?.cases ?? []), ...(done.data?.cases ?? []).filter((c) => !c.claimedBy || c.claimedBy === who)];
  const mine = all
    .filter((c, i) => all.findIndex((x) => x.id === c.id) === i)
    .filter((c) => !grids.length || (c.grid !== undefined && grids.includes(c.grid)))
    .sort(byUrgency);
  useEffect(() => {
    if (!list.data) return;
    const ids = mine.map((c) => c.id);
    if (seen.current === null) seen.current = new Set(ids);
    else {
      const add = ids.filter((id) => !seen.current!.has(id));
      for (const id of add) seen.current.add(id);
      if (add.length) setFresh((f) => new Set([...f, ...add]));
    }
  }, [list.data, done.data]);
  const reload = (): void => {
    list.reload();
    done.reload();
  };
  return (
    <section class="worker">
      <div class="toolbar">
        <h1>{t('worker.title')}</h1>
        {fresh.size ? (
          <button type="button" class="badge new-badge" onClick={() => setFresh(new Set())}>
            {t('worker.new', { n: fresh.size })}
          </button>
        ) : null}
      </div>
      {session.state !== 'signed-in' ? (
        <label class="who">
          {t('worker.who')}{' '}
          <input
            value={who}
            autocomplete="username"
            onInput={(e) => {
              setWho(e.currentTarget.value);
              localStorage.setItem('gw.worker', e.currentTarget.value);
            }}
          />
        </label>
      ) : null}
      {list.error ? <p class="error">{t('common.error', { msg: list.error.message })}</p> : null}
      {mine.length === 0 && list.data ? <p class="muted">{t('common.none')}</p> : null}
      {mine.map((c) => (
        <WorkerCaseCard key={c.id} c={c} cameraName={camName(c.cameraId)} who={who} session={session} fresh={fresh.has(c.id)} onChanged={reload} />
      ))}
    </section>
  );
}

function WorkerCaseCard(props: { c: WorkerCase; cameraName: string; who: string; session: Session; fresh: boolean; onChanged: () => void }) {
  const types = useEventTypes();
  const { c, who } = props;
  const by = byField(props.session, who);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState('');
  const [mode, setMode] = useState<'' | 'reject' | 'handled'>('');
  const [reason, setReason] = useState(REASONS[0]!);
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const path = `/api/cases/${encodeURIComponent(c.id)}`;
  // One request at a time per card; send() retries with the same idempotency key on a flaky line.
  const run = async (fn: () => Promise<unknown>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setMsg('');
    try {
      await fn();
      setMode('');
      props.onChanged();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const opts = { retries: 3, onRetry: () => setMsg(t('common.retrying')) };
  const now = Date.now();
  const mineNow = c.claimedBy === who && claimHeld(c, now);
  const awaiting = AWAITING_VERDICT.includes(c.status);
  const overdue = c.deadline !== undefined && c.deadline < Date.now();
  return (
    <article class={`wcase${props.fresh ? ' fresh' : ''}`} data-case-id={c.id} aria-busy={busy}>
      {c.evidence?.latest ? <img src={evidenceUrl(c.id, c.evidence.latest)} alt={types.name(c.eventType)} /> : null}
      <h2>
        {types.name(c.eventType)} <SeverityBadge severity={c.severity} /> <ShadowBadge shadow={c.shadow} />
      </h2>
      {c.shadow ? <p class="shadow-note">{t('shadow.hint')}</p> : null}
      <p>
        {props.cameraName}
        {c.zone ? ` · ${c.zone}` : ''} · {c.grid} · <span class="status">{label('status', c.status)}</span>
      </p>
      <p class={overdue ? 'late' : 'muted'}>
        {when(c.deadline)} · {timeLeft(c.deadline)}
      </p>
      <div class="wactions">
        {awaiting && !claimHeld(c, now) ? (
          <button type="button" class="primary" disabled={busy || (props.session.state === 'open' && !who)} onClick={() => void run(() => send(`${path}/claim`, by, opts))}>
            {t('worker.claim')}
          </button>
        ) : null}
        {awaiting && mineNow ? (
          <>
            <button type="button" class="primary" disabled={busy} onClick={() => void run(() => send(`${path}/verdict`, { ...by, verdict: 'confirmed' }, opts))}>
              {t('worker.confirm')}
            </button>
            <button type="button" disabled={busy} onClick={() => setMode(mode === 'reject' ? '' : 'reject')}>
              {t('worker.reject')}
            </button>
            <button type="button" disabled={busy} onClick={() => void run(() => send(`${path}/release`, by, opts))}>
              {t('worker.release')}
            </button>
          </>
        ) : null}
        {TO_HANDLE.includes(c.status) && (mineNow || !claimHeld(c, now)) ? (
          <button type="button" class="primary" disabled={busy} onClick={() => setMode(mode === 'handled' ? '' : 'handled')}>
            {t('worker.handled')}
          </button>
        ) : null}
      </div>
      {mode === 'reject' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => send(`${path}/verdict`, { ...by, verdict: 'rejected', reason, ...(note ? { note } : {}) }, opts));
          }}
        >
          <label>
            {t('worker.reason')}
            <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {label('reason', r)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('worker.sending') : t('worker.send')}
          </button>
        </form>
      ) : null}
      {mode === 'handled' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const jpeg = photo ? await photoForUpload(photo) : undefined;
              if (jpeg && jpeg.size > MAX_PHOTO) throw new Error(`photo too large (${Math.round(jpeg.size / 1e6)} MB, at most 8 MB)`);
              // The photo goes with the handled step itself (POST /handle), so a retry cannot leave a
              // photo without its step or a step without its photo.
              await send(`${path}/handle`, { ...by, ...(note ? { note } : {}), ...(jpeg ? { photoJpegBase64: await base64Of(jpeg) } : {}) }, opts);
            });
          }}
        >
          <label>
            {t('worker.note')}
            <textarea value={note} onInput={(e) => setNote(e.currentTarget.value)} rows={3} />
          </label>
          <label>
            {t('worker.photo')}
            <input type="file" accept="image/*" capture="environment" onChange={(e) => setPhoto(e.currentTarget.files?.[0] ?? null)} />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('worker.sending') : t('worker.send')}
          </button>
        </form>
      ) : null}
      <AlertLine msg={msg} />
    </article>
  );
}
