import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_TYPES, DEFAULT_RULES } from './default-catalogue.ts';
import type { RuleDef } from './event-model.ts';
import type { RuleCamera } from './rule-fit.ts';
import { RuleSet } from './rule-set.ts';

const square = [[0, 0], [1, 0], [1, 1]] as const;
const cam = (zoneKinds: string[], extra: Partial<RuleCamera> = {}): RuleCamera => ({
  id: 'cam-1',
  areaType: 'street',
  zones: zoneKinds.map((kind, i) => ({ name: `z${i}`, kind, points: square })),
  ...extra,
});
const ids = (rules: readonly RuleDef[]): string[] => rules.map((r) => r.id);

describe('RuleSet', () => {
  const set = new RuleSet(DEFAULT_RULES);

  it.each<[string, RuleCamera, string[]]>([
    ['no zones: whole-frame rules only', cam([]), ['fire_smoke', 'exposed_garbage', 'overflowing_bin']],
    ['a no-parking zone', cam(['no_parking']), ['illegal_parking', 'fire_smoke', 'exposed_garbage', 'overflowing_bin']],
    ['a sidewalk: bikes and vending', cam(['sidewalk']), ['disorderly_bikes', 'street_vending', 'fire_smoke', 'exposed_garbage', 'overflowing_bin']],
    ['a zone without a kind', { ...cam([]), zones: [{ name: 'x' }] }, ['fire_smoke', 'exposed_garbage', 'overflowing_bin']],
    ['named rules, in the camera order', cam(['crowd_watch'], { rules: ['fire_smoke', 'crowd_gathering'] }), ['fire_smoke', 'crowd_gathering']],
    ['an empty list: none', cam(['no_parking'], { rules: [] }), []],
  ])('%s', (_what, camera, expected) => {
    expect(ids(set.forCamera(camera))).toEqual(expected);
  });

  it('honours area-type and camera restrictions', () => {
    const restricted = new RuleSet([{ ...DEFAULT_RULES[0]!, areaTypes: ['school'] }, { ...DEFAULT_RULES[4]!, cameraIds: ['cam-2'] }]);
    expect(ids(restricted.forCamera(cam(['no_parking'])))).toEqual([]);
    expect(ids(restricted.forCamera(cam(['no_parking'], { areaType: 'school', id: 'cam-2' })))).toEqual(['illegal_parking', 'fire_smoke']);
  });

  it('throws typed errors for a named rule that is unknown or cannot run', () => {
    expect(() => set.forCamera(cam([], { rules: ['nope'] }))).toThrow(expect.objectContaining({ code: 'RULE_UNKNOWN', message: 'camera cam-1: unknown rule "nope"' }));
    expect(() => set.forCamera(cam([], { rules: ['illegal_parking'] }))).toThrow(expect.objectContaining({ code: 'RULE_NOT_APPLICABLE' }));
  });

  it('is built from a validated config', () => {
    expect(RuleSet.fromConfig({ events: { rules: DEFAULT_RULES } }).get('crowd_gathering')?.minCount).toBe(8);
  });
});

describe('the shipped catalogue', () => {
  it('has one rule per event type, each naming a known type, with a default unit and sane persistence', () => {
    const types = new Set(DEFAULT_EVENT_TYPES.map((t) => t.id));
    expect(types.size).toBe(DEFAULT_EVENT_TYPES.length);
    expect(ids(DEFAULT_RULES)).toEqual([...types]);
    for (const t of DEFAULT_EVENT_TYPES) expect(t.responsibleUnit.default, t.id).toBeTruthy();
    for (const r of DEFAULT_RULES) {
      expect(types.has(r.eventType), r.id).toBe(true);
      if (r.persistence.kind === 'frames') expect(r.persistence.k, r.id).toBeLessThanOrEqual(r.persistence.n);
    }
    expect(DEFAULT_EVENT_TYPES.find((t) => t.id === 'fire_smoke')?.severity).toBe('critical');
  });
});
