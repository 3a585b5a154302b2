import { describe, expect, it } from 'vitest';
import { type EvaluationRow, evaluateUnits } from './unit-evaluation.ts';

const H = 3_600_000;
const row = (over: Partial<EvaluationRow>): EvaluationRow => ({
  responsible_unit: 'u1',
  status: 'opened',
  opened_at: 0,
  dispatched_at: 1000,
  handled_at: null,
  first_handled_at: null,
  deadline_at: 2 * H,
  overdue_at: null,
  reopen_count: 0,
  ...over,
});

describe('evaluateUnits', () => {
  it('counts received, handled in time, overdue, median handling time and reopen rate per unit', () => {
    const rows = [
      row({ status: 'closed', handled_at: H, first_handled_at: H + 1000 }), // in time, rechecked, closed
      row({ status: 'reopened', first_handled_at: 3 * H + 1000, overdue_at: 2 * H + 1, reopen_count: 1 }), // late, reopened
      row({ status: 'accepted', overdue_at: 2 * H + 1 }), // not handled, overdue
      row({ status: 'rejected' }), // a false positive: not the unit's
      row({ responsible_unit: 'u2' }),
    ];
    const [u1, u2] = evaluateUnits(rows);
    expect(u1).toEqual({
      unit: 'u1',
      received: 3,
      handled: 2,
      handledInTime: 1,
      overdueRate: 2 / 3,
      medianHandlingMs: 2 * H,
      reopenRate: 0.5,
      reopened: 1,
      rechecked: 2,
    });
    expect(u2).toMatchObject({ unit: 'u2', received: 1, handled: 0, medianHandlingMs: null, reopenRate: null, overdueRate: 0 });
    expect(evaluateUnits([])).toEqual([]);
  });
});
