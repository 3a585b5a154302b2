import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJson, send } from '../api.ts';
import { CameraTile, type WallTile } from '../components/camera-tile.tsx';
import { duration } from '../format.ts';
import { t } from '../i18n.ts';
import { useLive } from '../live.ts';
import { navigate } from '../router.ts';
import { may, useSession } from '../session.ts';
import { useData } from '../use-data.ts';
import { wallPages } from '../wall-pages.ts';

interface Group {
  readonly id: string;
  readonly kind: string;
  readonly value?: string;
  readonly cameraIds: readonly string[];
}

const groupName = (g: Group): string =>
  g.kind === 'key-areas' || g.kind === 'all'
    ? t(`group.${g.kind}`)
    : g.kind === 'saved'
      ? t('group.saved', { v: g.value ?? '' })
      : t(`group.${g.kind as 'area' | 'grid' | 'priority'}`, { v: g.value ?? '' });

/** Camera lists saved in this browser (from the pinned tiles), shown as groups. */
const loadSaved = (): Group[] => {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem('gw.wall.lists') ?? '[]');
    return Array.isArray(raw) ? (raw as Group[]).filter((g) => typeof g.value === 'string' && Array.isArray(g.cameraIds)) : [];
  } catch {
    return [];
  }
};

const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/**
 * 一键轮巡: one key starts a rotation over a camera group. Before a page shows, its cameras are
 * asked for a fresh visit (POST /api/patrol/visit-now), so tiles are seconds old; tiles refresh
 * when the live feed reports a finished visit of their camera.
 */
export function WallPage() {
  // Viewers watch the wall; only roles that steer the patrol ask for fresh visits.
  const control = may(useSession(), 'control');
  const groups = useData<{ groups: Group[] }>('/api/wall/groups');
  const [groupId, setGroupId] = useState('key-areas');
  const [size, setSize] = useState(2);
  const [seconds, setSeconds] = useState(10);
  const [running, setRunning] = useState(false);
  const [paused, setPaused] = useState(false);
  const [page, setPage] = useState(0);
  const [pinned, setPinned] = useState<string[]>([]);
  const [tiles, setTiles] = useState<WallTile[]>([]);
  const [now, setNow] = useState(Date.now());
  const [saved, setSaved] = useState<Group[]>(loadSaved);
  const [listName, setListName] = useState('');
  const allGroups = [...(groups.data?.groups ?? []), ...saved];
  const group = allGroups.find((g) => g.id === groupId) ?? allGroups[0];
  const saveList = (): void => {
    const name = listName.trim();
    if (!name || !pinned.length) return;
    const next = [...saved.filter((g) => g.value !== name), { id: `saved:${name}`, kind: 'saved', value: name, cameraIds: [...pinned] }];
    localStorage.setItem('gw.wall.lists', JSON.stringify(next));
    setSaved(next);
    setListName('');
  };
  const pages = useMemo(() => wallPages(group?.cameraIds ?? [], pinned, size * size), [group, pinned, size]);
  const current = pages[page % Math.max(1, pages.length)] ?? [];
  const next = pages[(page + 1) % Math.max(1, pages.length)] ?? [];
  const currentKey = current.join(',');

  // Load the page's tiles; again whenever a visit of one of its cameras finishes.
  const load = useRef<() => void>(() => undefined);
  load.current = () => {
    if (!running || !current.length) return;
    void getJson<{ tiles: WallTile[] }>(`/api/wall/tiles?cameras=${current.map(encodeURIComponent).join(',')}`)
      .then((r) => setTiles(r.tiles))
      .catch(() => undefined);
  };
  useEffect(() => load.current(), [currentKey, running]);
  useLive((e) => {
    if (e.kind === 'visit' && current.includes(e.cameraId)) load.current();
  });

  // Ask for fresh visits of the next page's cameras while this page shows.
  useEffect(() => {
    if (!running || !control) return;
    for (const id of pages.length > 1 ? next : current) void send('/api/patrol/visit-now', { cameraId: id }).catch(() => undefined);
  }, [currentKey, running]);

  // Rotation and the age clock.
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  useEffect(() => {
    if (!running || paused || pages.length < 2) return;
    const turn = setTimeout(() => setPage((p) => (p + 1) % pages.length), seconds * 1000);
    return () => clearTimeout(turn);
  }, [running, paused, page, pages.length, seconds]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!running || (e.target as HTMLElement).closest('input,select,textarea')) return;
      if (e.key === ' ') {
        e.preventDefault();
        setPaused((p) => !p);
      } else if (e.key === 'ArrowRight') setPage((p) => (p + 1) % Math.max(1, pages.length));
      else if (e.key === 'ArrowLeft') setPage((p) => (p - 1 + pages.length) % Math.max(1, pages.length));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [running, pages.length]);

  const start = (): void => {
    setRunning(true);
    setPaused(false);
    setPage(0);
    // The wall drives the patrol: make sure it runs, and ask for the first page at once.
    if (!control) return;
    void send('/api/patrol/start', {}).catch(() => undefined);
    for (const id of pages[0] ?? []) void send('/api/patrol/visit-now', { cameraId: id }).catch(() => undefined);
  };
  const shown = tiles.filter((x) => current.includes(x.camera.id));
  const med = median(shown.filter((x) => x.latest).map((x) => now - (x.latest?.at ?? now)));

  return (
    <section class="wall-page">
      <div class="toolbar">
        <h1>{t('wall.title')}</h1>
        <label>
          {t('wall.group')}{' '}
          <select value={group?.id} onChange={(e) => (setGroupId(e.currentTarget.value), setPage(0))}>
            {allGroups.map((g) => (
              <option key={g.id} value={g.id}>
                {groupName(g)} ({g.cameraIds.length})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('wall.layout')}{' '}
          <select value={size} onChange={(e) => (setSize(Number(e.currentTarget.value)), setPage(0))}>
            {[2, 3, 4].map((n) => (
              <option key={n} value={n}>
                {n}×{n}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('wall.interval')}{' '}
          <input type="number" min={3} max={300} value={seconds} onChange={(e) => setSeconds(Math.max(3, Number(e.currentTarget.value) || 10))} />
        </label>
        {running ? (
          <>
            <button type="button" onClick={() => setPage((p) => (p - 1 + pages.length) % Math.max(1, pages.length))} aria-label={t('wall.prev')}>
              ←
            </button>
            <button type="button" onClick={() => setPaused((p) => !p)}>
              {paused ? t('wall.resume') : t('wall.pause')}
            </button>
            <button type="button" onClick={() => setPage((p) => (p + 1) % Math.max(1, pages.length))} aria-label={t('wall.next')}>
              →
            </button>
            <button type="button" onClick={() => setRunning(false)}>
              {t('wall.stop')}
            </button>
            {pinned.length ? (
              <form
                class="save-list"
                onSubmit={(e) => {
                  e.preventDefault();
                  saveList();
                }}
              >
                <label>
                  {t('wall.listName')} <input value={listName} onInput={(e) => setListName(e.currentTarget.value)} maxLength={40} />
                </label>
                <button type="submit">{t('wall.saveList', { n: pinned.length })}</button>
              </form>
            ) : null}
          </>
        ) : (
          <button type="button" class="primary big" id="one-key" onClick={start}>
            {t('wall.start')}
          </button>
        )}
      </div>
      {running ? (
        <>
          <p class="wall-status" aria-live="polite">
            <span id="wall-page-no">{t('wall.page', { n: (page % Math.max(1, pages.length)) + 1, of: pages.length })}</span>
            {paused ? <strong> · {t('wall.paused')}</strong> : null}
            <span id="median-age" data-ms={med ?? ''}>
              {' '}
              · {t('wall.medianAge', { age: med === undefined ? '—' : duration(med) })}
            </span>
            <span class="muted"> · {t('wall.keys')}</span>
          </p>
          <div class={`wall grid-${size}`}>
            {current.map((id) => {
              const tile = shown.find((x) => x.camera.id === id);
              return tile ? (
                <CameraTile
                  key={id}
                  tile={tile}
                  now={now}
                  pinned={pinned.includes(id)}
                  onPin={() => setPinned((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]))}
                  onOpen={() => navigate(`/cameras/${encodeURIComponent(id)}`)}
                />
              ) : (
                <div key={id} class="tile placeholder" />
              );
            })}
          </div>
        </>
      ) : (
        <p class="muted">{t('wall.idle')}</p>
      )}
    </section>
  );
}
