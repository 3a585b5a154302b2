import { useState } from 'preact/hooks';
import { send } from '../api.ts';
import { BarChart } from '../components/bar-chart.tsx';
import { t } from '../i18n.ts';
import { may, useSession } from '../session.ts';
import { usePolled } from '../use-polled.ts';
import { AlertLine } from '../components/alert-line.tsx';

interface PatrolStatus {
  readonly state: string;
  readonly workers: number;
  readonly capacity: number;
  readonly note?: string;
  readonly scheduler: {
    readonly due: number;
    readonly overdue: number;
    readonly inFlight: number;
    readonly held: number;
    readonly perPriority: readonly { priority: string; cameras: number; targetS: number; achievedMedianS: number | null; achievedP95S: number | null }[];
  } | null;
}

// The leader's status age moves on every read: not a change.
const POLL = { minMs: 5000, maxMs: 30_000, fingerprint: (d: PatrolStatus) => JSON.stringify([d.state, d.workers, d.capacity, d.scheduler]) };

/** Patrol: state, workers and slots, achieved revisit intervals vs targets, commands, targets editing. */
export function PatrolPage() {
  const session = useSession();
  // The status is a snapshot the leading scheduler republishes every second or so (achieved
  // intervals, due counts): it changes all the time, and only this page shows it. Pushing it on the
  // live feed would send every console (and every grid worker's phone) a message a second, and fill
  // the feed's replay buffer with snapshots; instead this page reads it with backoff: 5 s while it
  // changes, up to 30 s while it does not (a paused patrol) or the server is away, nothing while the
  // tab is hidden, and at once after one of this page's own commands.
  const s = usePolled<PatrolStatus>('/api/patrol/status', POLL);
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState('');
  const command = (c: string): void =>
    void send(`/api/patrol/${c}`, {}, { retries: 2 }).then(s.reload, (e: Error) => setMsg(e.message));
  const pp = s.data?.scheduler?.perPriority ?? [];
  return (
    <section>
      <div class="toolbar">
        <h1>{t('patrol.title')}</h1>
        {(may(session, 'control') ? (['start', 'pause', 'resume', 'stop'] as const) : []).map((c) => (
          <button key={c} type="button" onClick={() => command(c)}>
            {t(`patrol.${c}`)}
          </button>
        ))}
      </div>
      {s.data ? (
        <dl class="facts">
          <dt>{t('patrol.state')}</dt>
          <dd id="patrol-state">{s.data.state}</dd>
          <dt>{t('patrol.workers')}</dt>
          <dd>{s.data.workers}</dd>
          <dt>{t('patrol.slots')}</dt>
          <dd>{s.data.capacity}</dd>
          {s.data.scheduler ? (
            <>
              <dt>due / overdue / in flight / held</dt>
              <dd>
                {s.data.scheduler.due} / {s.data.scheduler.overdue} / {s.data.scheduler.inFlight} / {s.data.scheduler.held}
              </dd>
            </>
          ) : (
            <dd>{t('patrol.noStatus')}</dd>
          )}
        </dl>
      ) : null}
      {pp.length ? (
        <BarChart
          title={t('patrol.intervals')}
          unit="s"
          categories={pp.map((p) => `${p.priority} (${p.cameras})`)}
          series={[
            { label: t('patrol.achieved'), values: pp.map((p) => p.achievedMedianS), color: '#38bdf8' },
            { label: 'p95', values: pp.map((p) => p.achievedP95S), color: '#a78bfa' },
            { label: t('patrol.target'), values: pp.map((p) => p.targetS), color: '#f59e0b' },
          ]}
        />
      ) : null}
      {may(session, 'control') ? (
      <form
        class="targets"
        onSubmit={(e) => {
          e.preventDefault();
          const body = Object.fromEntries(Object.entries(targets).filter(([, v]) => v !== '').map(([k, v]) => [k, Number(v)]));
          void send('/api/patrol/targets', body, { method: 'PUT' }).then(
            () => setMsg(''),
            (err: Error) => setMsg(err.message),
          );
        }}
      >
        <fieldset>
          <legend>{t('patrol.targets')}</legend>
          {['key', 'normal', 'low'].map((k) => (
            <label key={k}>
              {k}{' '}
              <input
                type="number"
                min={5}
                max={86400}
                placeholder={String(pp.find((p) => p.priority === k)?.targetS ?? '')}
                value={targets[k] ?? ''}
                onInput={(e) => setTargets((x) => ({ ...x, [k]: e.currentTarget.value }))}
              />
            </label>
          ))}
          <button type="submit">{t('common.save')}</button>
        </fieldset>
      </form>
      ) : null}
      <AlertLine msg={msg} />
    </section>
  );
}
