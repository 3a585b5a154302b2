import { useEffect, useState } from 'preact/hooks';
import { en, type MessageKey } from './i18n-en.ts';
import { zh } from './i18n-zh.ts';

/** The console's languages. */
export type Lang = 'zh' | 'en';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };
const listeners = new Set<() => void>();
let current: Lang = localStorage.getItem('gw.lang') === 'en' ? 'en' : 'zh';
document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';

/** The language now shown. */
export const lang = (): Lang => current;

/** Switches the language everywhere (remembered in this browser). */
export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem('gw.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const l of listeners) l();
}

/** A string in the current language, `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return dictionaries[current][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** Re-renders the calling component when the language changes; returns the language. */
export function useLang(): Lang {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = (): void => bump((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return current;
}

/** The string for `key` when the dictionary has it (labels built from data, e.g. `health.${state}`). */
export function tryT(key: string): string | undefined {
  return (dictionaries[current] as Record<string, string>)[key];
}
