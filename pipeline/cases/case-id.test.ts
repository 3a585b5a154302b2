import { describe, expect, it } from 'vitest';
import { caseIdTime, isCaseId, newCaseId } from './case-id.ts';

describe('case ids', () => {
  it('encode the opening time and sort by it as strings', () => {
    const times = [0, 1, 35, 36, 1_700_000_000_000, 1_700_000_000_001, 4_102_444_800_000];
    const ids = times.map((t) => newCaseId(t));
    expect(ids.map(caseIdTime)).toEqual(times);
    expect([...ids].reverse().sort()).toEqual(ids);
    for (const id of ids) expect(isCaseId(id)).toBe(true);
  });

  it('differ within one millisecond and take a fixed shape', () => {
    const a = newCaseId(1_700_000_000_000, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]));
    const b = newCaseId(1_700_000_000_000, Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 255]));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^c_[0-9a-z]{9}_0{9}1$/);
    expect(new Set(Array.from({ length: 1000 }, () => newCaseId(5))).size).toBe(1000);
  });

  it('rejects what is not a case id', () => {
    for (const s of ['', 'c_', 'c_abc_def', '../etc', 'C_00000000a_0000000001', 'c_00000000a_0000000001x']) {
      expect(isCaseId(s)).toBe(false);
      expect(caseIdTime(s)).toBeUndefined();
    }
  });
});
