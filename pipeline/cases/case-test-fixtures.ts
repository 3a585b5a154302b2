/**
 * Test-only fixtures for the cases, dispatch and verification tests: a small event type
 * catalogue, confirmed events and a sighting context. Not used by library code.
 */
import type { ConfirmedEvent, EventTypeDef, NormBox } from '../events/event-model.ts';
import type { SightingContext } from './case-transitions.ts';

/** Illegal parking (place dedup), a crowd (zone dedup, short cooldown), and fire (critical). */
export const TEST_TYPES: readonly EventTypeDef[] = [
  {
    id: 'illegal_parking',
    nameZh: '违章停车',
    nameEn: 'Illegal parking',
    category: 'A01-03',
    severity: 'medium',
    deadlineMinutes: 120,
    responsibleUnit: { school: 'Traffic police, school detail', default: 'Traffic police' },
  },
  {
    id: 'crowd_gathering',
    nameZh: '人员聚集',
    nameEn: 'Crowd gathering',
    category: 'B02-01',
    severity: 'high',
    deadlineMinutes: 30,
    responsibleUnit: { default: 'Public security' },
    dedup: 'zone',
    cooldownS: 60,
  },
  {
    id: 'fire_smoke',
    nameZh: '火情烟雾',
    nameEn: 'Fire or smoke',
    category: 'C01-01',
    severity: 'critical',
    deadlineMinutes: 10,
    responsibleUnit: { default: 'Fire brigade' },
  },
];

/** The test type with this id. */
export function testType(id: string): EventTypeDef {
  const t = TEST_TYPES.find((x) => x.id === id);
  if (!t) throw new Error(`no test type ${id}`);
  return t;
}

/** A confirmed event; `place` defaults to the one box. */
export function testEvent(over: Partial<ConfirmedEvent> & { place?: NormBox } = {}): ConfirmedEvent {
  const place: NormBox = over.place ?? [0.1, 0.5, 0.3, 0.7];
  const at = over.at ?? 1_700_000_000_000;
  return {
    eventType: 'illegal_parking',
    ruleId: 'parking-no-parking-zone',
    cameraId: 'cam-1',
    zone: 'road',
    at,
    firstSeenAt: at - 600_000,
    confidence: 0.8,
    boxes: [{ label: 'car', score: over.confidence ?? 0.8, box: place }],
    place,
    model: 'picodet-s-416@1.0.0',
    frameIndex: 3,
    ...over,
  };
}

/** Two made-up evidence paths. */
export const EVIDENCE_A = `2023-11-14/${'a'.repeat(64)}.jpg`;
export const EVIDENCE_B = `2023-11-14/${'b'.repeat(64)}.jpg`;

/** A sighting context for a type on camera grid g1 (area school). */
export function testContext(typeId = 'illegal_parking', latest = EVIDENCE_A, first?: string): SightingContext {
  return { camera: { grid: 'g1', areaType: 'school' }, type: testType(typeId), evidence: { latest, ...(first ? { first } : {}) } };
}
