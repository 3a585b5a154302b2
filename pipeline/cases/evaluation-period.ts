import { CaseInputError } from './case-errors.ts';

const DAY = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A period [from, to) in epoch ms. */
export interface Period {
  readonly from: number;
  readonly to: number;
}

const parseDay = (field: string, v: string): number => {
  const t = DATE.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
  if (Number.isNaN(t)) throw new CaseInputError(field, `a date YYYY-MM-DD (UTC), got "${v.slice(0, 40)}"`);
  return t;
};

/**
 * The evaluation period from optional `from` / `to` dates (YYYY-MM-DD, UTC, `to` inclusive):
 * default the 30 days up to and including today. A `to` before `from` is a CaseInputError.
 */
export function evaluationPeriod(from: string | undefined, to: string | undefined, now: number): Period {
  const end = to ? parseDay('to', to) + DAY : Math.floor(now / DAY) * DAY + DAY;
  const start = from ? parseDay('from', from) : end - 30 * DAY;
  if (start >= end) throw new CaseInputError('to', 'must not be before from');
  return { from: start, to: end };
}
