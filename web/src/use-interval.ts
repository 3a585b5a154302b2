import { useEffect, useRef } from 'preact/hooks';

/** Calls `fn` every `ms` while mounted (for state nothing pushes, such as the scheduler's status). */
export function useInterval(fn: () => void, ms: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const id = setInterval(() => ref.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}
