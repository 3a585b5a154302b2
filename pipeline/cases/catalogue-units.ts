/**
 * The responsible units the event-type catalogue names, as the `units` table holds them: every
 * unit of every type and area type at each level (community, street office, district). A unit's id
 * is the name a case carries in `responsibleUnit` at that level ("交警大队" at community,
 * "street office: 交警大队" above it), so a case's unit is looked up by equality; its parent is the
 * same unit one level up, where escalation sends its cases. Pure: the table is written by
 * unit-directory.ts.
 */
import type { EventTypeDef } from '../events/event-model.ts';
import { UNIT_LEVELS, type UnitLevel } from './case-model.ts';

/** One unit as the API shows it (GET /api/units). */
export interface UnitEntry {
  /** The name cases carry in `responsibleUnit` at this level. */
  readonly id: string;
  /** The unit's name in the catalogue (the same at every level). */
  readonly name: string;
  readonly level: UnitLevel;
  /** The unit one level up (escalation's target); null at the district level. */
  readonly parentId: string | null;
}

/** The id of the catalogue unit `name` at `level`: the name itself at community, "<level>: <name>" above. */
export function unitIdAt(name: string, level: UnitLevel): string {
  return level === 'community' ? name : `${level.replace('_', ' ')}: ${name}`;
}

/**
 * Every unit the catalogue names, at every level, parents first within each name. An id that two
 * entries would share (a catalogue unit literally named "street office: X" beside a unit X) is kept
 * once, at the first level it was derived for.
 */
export function catalogueUnits(catalogue: readonly EventTypeDef[]): UnitEntry[] {
  const names = new Set<string>();
  for (const type of catalogue) for (const unit of Object.values(type.responsibleUnit)) names.add(unit);
  const out = new Map<string, UnitEntry>();
  for (const name of [...names].sort()) {
    for (let i = UNIT_LEVELS.length - 1; i >= 0; i--) {
      const level = UNIT_LEVELS[i]!;
      const up = UNIT_LEVELS[i + 1];
      const id = unitIdAt(name, level);
      if (!out.has(id)) out.set(id, { id, name, level, parentId: up ? unitIdAt(name, up) : null });
    }
  }
  return [...out.values()];
}
