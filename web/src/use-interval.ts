import { useEffect, useRef } from 'preact/hooks';

/** Calls `fn` every `ms` while mounted (a clock: redraws "time left"; data comes from the live feed). */
export function useInterval(fn: () => void, ms: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const id = setInterval(() => ref.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}
