import { describe, expect, it } from 'vitest';
import { TEST_TYPES, testType } from './case-test-fixtures.ts';
import { catalogueUnits, unitIdAt } from './catalogue-units.ts';
import { responsibleUnitFor } from './case-transitions.ts';

describe('units of the catalogue', () => {
  it('names every unit at every level with its parent one level up, ids as cases carry them', () => {
    const units = catalogueUnits(TEST_TYPES);
    expect(units.filter((u) => u.name === 'Traffic police')).toEqual([
      { id: 'district: Traffic police', name: 'Traffic police', level: 'district', parentId: null },
      { id: 'street office: Traffic police', name: 'Traffic police', level: 'street_office', parentId: 'district: Traffic police' },
      { id: 'Traffic police', name: 'Traffic police', level: 'community', parentId: 'street office: Traffic police' },
    ]);
    // Four unit names (two for parking, one each for crowd and fire), three levels each.
    expect(units).toHaveLength(12);
    expect(new Set(units.map((u) => u.id)).size).toBe(12);
    // Whatever a case is handed to (at open, or by escalation) is a unit of the list, at its level.
    for (const level of ['community', 'street_office', 'district'] as const) {
      for (const area of ['school', 'market']) {
        const id = responsibleUnitFor(testType('illegal_parking'), area, level);
        expect(units.find((u) => u.id === id)?.level).toBe(level);
      }
    }
  });

  it('keeps an id two entries would share once, at the first level it came from; an empty catalogue has none', () => {
    const odd = { ...testType('fire_smoke'), responsibleUnit: { default: 'street office: Fire brigade' } };
    const units = catalogueUnits([testType('fire_smoke'), odd]);
    expect(units.filter((u) => u.id === 'street office: Fire brigade')).toHaveLength(1);
    expect(unitIdAt('X', 'street_office')).toBe('street office: X');
    expect(catalogueUnits([])).toEqual([]);
  });
});
