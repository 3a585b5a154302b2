import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.ts';

/** Levels a case is handled at, lowest first (pipeline/cases/case-model.ts UNIT_LEVELS). */
export const UNIT_LEVELS = ['community', 'street_office', 'district'] as const;

/** A responsible unit (GET /api/units). */
export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly level: string;
  readonly parentId: string | null;
}

let cache: Unit[] | undefined;
let loading: Promise<Unit[]> | undefined;

/** The level above `level`, or undefined at the top (escalation goes one level at a time). */
export function levelAbove(level: string): string | undefined {
  const i = UNIT_LEVELS.indexOf(level as (typeof UNIT_LEVELS)[number]);
  return i >= 0 ? UNIT_LEVELS[i + 1] : undefined;
}

/**
 * The units, loaded once per page load (they change with the deployment's config, not during a
 * shift). Empty while loading or when the list cannot be read; `error` says why.
 */
export function useUnits(): { list: readonly Unit[]; error: string | undefined; name: (id: string) => string } {
  const [list, setList] = useState<Unit[]>(cache ?? []);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (cache) return;
    loading ??= getJson<{ units: Unit[] }>('/api/units').then((r) => (cache = r.units));
    loading.then(setList, (e: Error) => {
      loading = undefined;
      setError(e.message);
    });
  }, []);
  const name = (id: string): string => list.find((u) => u.id === id)?.name ?? id;
  return { list, error, name };
}
