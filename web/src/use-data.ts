import { useCallback, useEffect, useState } from 'preact/hooks';
import { getJson } from './api.ts';

/** A GET that loads on mount and when `path` changes; `reload()` fetches again. */
export function useData<T>(path: string | null): { data: T | undefined; error: Error | undefined; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    const ac = new AbortController();
    getJson<T>(path, ac.signal)
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (!ac.signal.aborted) setError(e as Error);
      });
    return () => ac.abort();
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload };
}
