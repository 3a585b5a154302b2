import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.ts';
import { lang, useLang } from './i18n.ts';

/** An event type of the catalogue (GET /api/event-types). */
export interface EventType {
  readonly id: string;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly severity: string;
  readonly category: string;
  readonly deadlineMinutes: number;
}

let cache: EventType[] | undefined;
let loading: Promise<EventType[]> | undefined;

/** The catalogue, loaded once; `name(id)` in the current language (the id when unknown). */
export function useEventTypes(): { list: readonly EventType[]; name: (id: string) => string } {
  useLang();
  const [list, setList] = useState<EventType[]>(cache ?? []);
  useEffect(() => {
    if (cache) return;
    loading ??= getJson<{ types: EventType[] }>('/api/event-types')
      .then((r) => (cache = r.types))
      .catch(() => []);
    void loading.then(setList);
  }, []);
  const name = (id: string): string => {
    const ty = list.find((x) => x.id === id);
    return ty ? (lang() === 'zh' ? ty.nameZh : ty.nameEn) : id;
  };
  return { list, name };
}
