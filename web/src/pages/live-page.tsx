import { useEffect, useRef, useState } from 'preact/hooks';
import { CaseCard } from '../components/case-card.tsx';
import { label, when } from '../format.ts';
import { t } from '../i18n.ts';
import { type LiveEvent, useLive } from '../live.ts';
import { useData } from '../use-data.ts';

const LOUD = new Set(['high', 'critical']);
const MAX = 200;

/** A short two-tone alert made with Web Audio (no sound file to fetch). */
function beep(ctx: AudioContext): void {
  for (const [i, f] of [880, 660].entries()) {
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = f;
    g.gain.value = 0.08;
    o.connect(g).connect(ctx.destination);
    o.start(ctx.currentTime + i * 0.18);
    o.stop(ctx.currentTime + i * 0.18 + 0.15);
  }
}

/** The live feed: cases opened and updated, overdue cases and camera health changes as they happen. */
export function LivePage() {
  const [events, setEvents] = useState<(LiveEvent & { key: number })[]>([]);
  const [sound, setSound] = useState(localStorage.getItem('gw.sound') !== 'off');
  const cams = useData<{ cameras: { id: string; name: string }[] }>('/api/cameras');
  const audio = useRef<AudioContext | null>(null);
  const seq = useRef(0);
  useEffect(() => localStorage.setItem('gw.sound', sound ? 'on' : 'off'), [sound]);
  const connected = useLive((e) => {
    if (e.kind === 'visit') return;
    // One row per case: an update replaces the case's earlier row and comes to the top.
    const caseId = e.kind === 'case' || e.kind === 'overdue' ? e.case.id : undefined;
    setEvents((xs) => [{ ...e, key: ++seq.current }, ...xs.filter((x) => !caseId || !('case' in x) || x.case.id !== caseId)].slice(0, MAX));
    const loud = (e.kind === 'case' && e.outcome === 'opened' && LOUD.has(e.case.severity)) || e.kind === 'overdue';
    if (loud && sound) {
      try {
        audio.current ??= new AudioContext();
        beep(audio.current);
      } catch {
        // No audio device (or not allowed before a click): the highlight still shows.
      }
    }
  });
  const camName = (id: string): string => cams.data?.cameras.find((c) => c.id === id)?.name ?? id;
  return (
    <section>
      <div class="toolbar">
        <h1>{t('live.title')}</h1>
        <span class={connected ? 'badge health-online' : 'badge health-degraded'} id="live-state">
          {connected ? t('live.connected') : t('live.reconnecting')}
        </span>
        <button type="button" aria-pressed={!sound} onClick={() => setSound((s) => !s)}>
          {sound ? t('live.silence') : t('live.sound')}
        </button>
      </div>
      {events.length === 0 ? <p class="muted">{t('live.empty')}</p> : null}
      <ol class="feed" aria-live="polite">
        {events.map((e) => (
          <li key={e.key} data-at={e.at} class={`feed-item kind-${e.kind}${(e.kind === 'case' || e.kind === 'overdue') && LOUD.has(e.case.severity) ? ' loud' : ''}`}>
            {e.kind === 'case' || e.kind === 'overdue' ? (
              <CaseCard
                c={e.case}
                cameraName={camName(e.case.cameraId)}
                fresh={e.kind === 'case' && e.outcome === 'opened'}
                note={e.kind === 'overdue' ? t('live.overdue') : e.outcome === 'opened' ? t('live.case.opened') : t('live.case.updated')}
              />
            ) : e.kind === 'health' ? (
              <p class="health-change">
                {when(e.at)} · {t('live.health', { cam: camName(e.cameraId), from: label('health', e.from), to: label('health', e.to) })}
                {e.error ? <span class="muted"> — {e.error}</span> : null}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
