import { t, tryT } from './i18n.ts';

/** "12 s ago" / "3 min ago" for an epoch-ms time. */
export function age(at: number | undefined, now: number = Date.now()): string {
  if (!at) return t('age.never');
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 120) return t('age.s', { n: s });
  if (s < 7200) return t('age.m', { n: Math.round(s / 60) });
  return t('age.h', { n: Math.round(s / 3600) });
}

/** A duration, e.g. "1 h 05 min" or "42 s". */
export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "25 min left" / "overdue by 3 min". */
export function timeLeft(deadline: number | undefined, now: number = Date.now()): string {
  if (!deadline) return '';
  const d = deadline - now;
  return d >= 0 ? t('left.left', { t: duration(d) }) : t('left.over', { t: duration(d) });
}

/** Local date-time. */
export const when = (at: number | undefined): string => (at ? new Date(at).toLocaleString() : '');

/** A translated label when the dictionary has one, else the raw value (labels come from data). */
export function label(prefix: string, value: string): string {
  return tryT(`${prefix}.${value}`) ?? value;
}
