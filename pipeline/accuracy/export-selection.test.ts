import { describe, expect, it } from 'vitest';
import { T0, confirmedAt, makeCase, rejectedAt } from './case-fixture.ts';
import { selectForExport } from './export-selection.ts';
import { correctedEventType, objectTruth } from './object-labels.ts';
import { isVerified } from './verified-case.ts';

const verified = (...cases: ReturnType<typeof makeCase>[]) => cases.filter(isVerified);

describe('objectTruth and correctedEventType', () => {
  it.each([
    [confirmedAt(T0), 'real', 'illegal_parking'],
    [rejectedAt(T0, 'not_a_violation'), 'real', null],
    [rejectedAt(T0, 'wrong_event_type', 'street_vending'), 'real', 'street_vending'],
    [rejectedAt(T0, 'false_detection'), 'false', null],
    [rejectedAt(T0, 'duplicate'), 'duplicate', null],
    [rejectedAt(T0), 'unknown', null],
  ] as const)('%o -> objects %s, event %s', (verdict, truth, type) => {
    expect(objectTruth(verdict)).toBe(truth);
    expect(correctedEventType('illegal_parking', verdict)).toBe(type);
  });
});

describe('selectForExport', () => {
  const cases = verified(
    makeCase('ok', { verdict: confirmedAt(T0) }),
    makeCase('legal', { verdict: rejectedAt(T0, 'not_a_violation') }),
    makeCase('retyped', { verdict: rejectedAt(T0, 'wrong_event_type', 'street_vending') }),
    makeCase('ghost', { verdict: rejectedAt(T0, 'false_detection') }),
    makeCase('again', { verdict: rejectedAt(T0, 'duplicate') }),
    makeCase('why', { verdict: rejectedAt(T0) }),
    makeCase('open'),
  );

  it('labels real objects, skips duplicates and unexplained rejections, false detections only on request', () => {
    const plain = selectForExport(cases);
    expect(plain.items.map((i) => [i.case.id, i.kind])).toEqual([['ok', 'positive'], ['legal', 'positive'], ['retyped', 'positive']]);
    expect(plain.items[2]!.objects).toEqual([{ label: 'car', box: [0.1, 0.2, 0.5, 0.6] }]);
    expect(plain.skipped.map((s) => s.caseId)).toEqual(['ghost', 'again', 'why']);
    expect(plain.skipped[0]!.reason).toContain('--include-rejected-as-negatives');

    const withNegatives = selectForExport(cases, { includeRejectedAsNegatives: true });
    expect(withNegatives.items.find((i) => i.case.id === 'ghost')).toMatchObject({ kind: 'negative', objects: [] });
  });

  it('prefers the raw frame, else the chosen drawn one', () => {
    const raw = makeCase('r', { verdict: confirmedAt(T0), evidence: { first: 'f.jpg', latest: 'l.jpg', best: 'b.jpg', raw: 'raw/r.jpg' } });
    const drawn = makeCase('d', { verdict: confirmedAt(T0), evidence: { first: 'f.jpg', latest: 'l.jpg', best: 'b.jpg' } });
    expect(selectForExport(verified(raw, drawn)).items.map((i) => [i.source, i.drawn])).toEqual([['raw/r.jpg', false], ['b.jpg', true]]);
    expect(selectForExport(verified(drawn), { frame: 'latest' }).items[0]!.source).toBe('l.jpg');
  });

  it('clips boxes to the frame and drops boxes without area', () => {
    const c = makeCase('c', {
      verdict: confirmedAt(T0),
      boxes: [
        { label: 'car', score: 0.9, box: [-0.1, 0.5, 0.3, 1.2] },
        { label: 'person', score: 0.9, box: [0.4, 0.4, 0.4, 0.6] },
      ],
    });
    expect(selectForExport(verified(c)).items[0]!.objects).toEqual([{ label: 'car', box: [0, 0.5, 0.3, 1] }]);
    const empty = makeCase('e', { verdict: confirmedAt(T0), boxes: [] });
    expect(selectForExport(verified(empty)).skipped).toEqual([{ caseId: 'e', reason: 'no boxes with an area' }]);
  });
});
