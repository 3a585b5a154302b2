import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api.ts';

/** Options of {@link usePolled}. */
export interface PollOptions<T> {
  /** Delay after a read that changed something, ms. */
  readonly minMs: number;
  /** Longest delay, reached by doubling while nothing changes or reads fail, ms. */
  readonly maxMs: number;
  /** What counts as a change (default: the whole answer); leave out fields that move on every read. */
  readonly fingerprint?: (data: T) => string;
}

/**
 * A GET read again with backoff: after `minMs` while the answer changes, doubling up to `maxMs`
 * while it stays the same or the server cannot be reached, and not at all while the tab is hidden
 * (read again at once when it shows). `reload()` reads now and goes back to `minMs` (after the
 * user changed something).
 */
export function usePolled<T>(path: string, options: PollOptions<T>): { data: T | undefined; error: Error | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [kick, setKick] = useState(0);
  const last = useRef('');
  const delay = useRef(options.minMs);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const ac = new AbortController();
    const schedule = (): void => {
      clearTimeout(timer);
      if (!stopped && document.visibilityState === 'visible') timer = setTimeout(read, delay.current);
    };
    const read = (): void => {
      getJson<T>(path, ac.signal).then(
        (d) => {
          const text = options.fingerprint ? options.fingerprint(d) : JSON.stringify(d);
          delay.current = text === last.current ? Math.min(delay.current * 2, options.maxMs) : options.minMs;
          last.current = text;
          setData(d);
          setError(undefined);
          schedule();
        },
        (e: unknown) => {
          if (ac.signal.aborted) return;
          delay.current = Math.min(delay.current * 2, options.maxMs);
          setError(e as Error);
          schedule();
        },
      );
    };
    const onVisible = (): void => {
      if (document.visibilityState !== 'visible') return clearTimeout(timer);
      delay.current = options.minMs;
      read();
    };
    document.addEventListener('visibilitychange', onVisible);
    delay.current = options.minMs;
    read();
    return () => {
      stopped = true;
      ac.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [path, kick, options.minMs, options.maxMs]);
  const reload = useCallback(() => setKick((k) => k + 1), []);
  return { data, error, reload };
}
