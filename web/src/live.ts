import { useEffect, useRef, useState } from 'preact/hooks';

/** A case as the live feed carries it (pipeline/live/live-event.ts). */
export interface LiveCase {
  readonly id: string;
  readonly eventType: string;
  readonly cameraId: string;
  readonly status: string;
  readonly severity: string;
  readonly grid?: string;
  readonly openedAt?: number;
  readonly lastSeenAt?: number;
  readonly deadline?: number;
  readonly confidence?: number;
  readonly evidence?: { readonly latest?: string; readonly first?: string };
  /** A shadow candidate's case (never dispatched); absent: false. */
  readonly shadow?: boolean;
}

/** One live feed message. */
export type LiveEvent =
  | { readonly kind: 'case'; readonly outcome: string; readonly at: number; readonly case: LiveCase }
  | { readonly kind: 'visit'; readonly at: number; readonly cameraId: string; readonly ok: boolean; readonly frames: number; readonly health: string }
  | { readonly kind: 'health'; readonly at: number; readonly cameraId: string; readonly from: string; readonly to: string; readonly error?: string }
  | { readonly kind: 'overdue'; readonly at: number; readonly case: LiveCase };

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
const stateListeners = new Set<(connected: boolean) => void>();
let source: EventSource | undefined;
let connected = false;

function setConnected(v: boolean): void {
  connected = v;
  for (const l of stateListeners) l(v);
}

/**
 * One EventSource for the whole page. The browser reconnects by itself (after the server's
 * `retry:`) and sends Last-Event-ID, so the server replays what was missed.
 */
function ensureSource(): void {
  if (source) return;
  source = new EventSource('/api/live', { withCredentials: true });
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
  for (const kind of ['case', 'visit', 'health', 'overdue']) {
    source.addEventListener(kind, (m) => {
      let e: LiveEvent;
      try {
        e = JSON.parse((m as MessageEvent<string>).data) as LiveEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(e);
    });
  }
}

/** Calls `onEvent` for every live message while the component is mounted; returns whether connected. */
export function useLive(onEvent: Listener): boolean {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  const [isUp, setUp] = useState(connected);
  useEffect(() => {
    ensureSource();
    const l: Listener = (e) => ref.current(e);
    listeners.add(l);
    stateListeners.add(setUp);
    setUp(connected);
    return () => {
      listeners.delete(l);
      stateListeners.delete(setUp);
    };
  }, []);
  return isUp;
}

/**
 * Calls `reload` when a live message matches, at most once per `minGapMs` (a busy camera updates its
 * case at every visit; the page reads it again once for a burst, and once more after the burst).
 */
export function useLiveReload(matches: (e: LiveEvent) => boolean, reload: () => void, minGapMs = 1000): void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const fn = useRef(reload);
  fn.current = reload;
  useEffect(() => () => clearTimeout(timer.current), []);
  useLive((e) => {
    if (!matches(e) || timer.current !== undefined) return;
    const wait = Math.max(0, last.current + minGapMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      fn.current();
    }, wait);
  });
}
