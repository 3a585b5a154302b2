import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_TYPES, DEFAULT_RULES } from '../events/default-catalogue.ts';
import { RuleSet } from '../events/rule-set.ts';
import { deadlineMinutesFor } from '../cases/case-transitions.ts';
import { ConfigError } from './errors.ts';
import { loadConfig, parseConfig } from './load-config.ts';

const dir = join(import.meta.dirname, '..', '..', 'test-fixtures', 'configs');
const demoEnv = { RTSP_PORT: '8554', CLOSED_PORT: '1' };

const camera = (extra = ''): string =>
  `  - { id: cam-1, name: A, url: "rtsp://10.0.0.1/x", areaType: street, grid: g, zones: [{ name: road, kind: no_parking, points: [[0, 0.5], [1, 0.5], [1, 1]] }]${extra} }\n`;

/** "path: message" of every issue, or [] when the text is valid. */
function problems(text: string): string[] {
  try {
    parseConfig(text, 'inline.yaml', { env: {} });
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('config events: defaults and overrides', () => {
  it('ships the seven event types and rules when the file has no events section', async () => {
    const c = await loadConfig(join(dir, 'minimal.yaml'), { env: {} });
    expect(c.events.catalogue).toEqual(DEFAULT_EVENT_TYPES);
    expect(c.events.rules).toEqual(DEFAULT_RULES);
    expect(c.events.catalogue.map((t) => t.id)).toEqual(['illegal_parking', 'disorderly_bikes', 'street_vending', 'crowd_gathering', 'fire_smoke', 'exposed_garbage', 'overflowing_bin']);
  });

  it('merges the demo overrides field by field over the shipped rules', async () => {
    const c = await loadConfig(join(dir, 'demo.yaml'), { env: demoEnv });
    const rules = new RuleSet(c.events.rules);
    expect(rules.get('illegal_parking')).toEqual({
      ...DEFAULT_RULES.find((r) => r.id === 'illegal_parking'),
      persistence: { kind: 'visits', minDurationS: 40, minIou: 0.5, maxGapS: 600 },
    });
    expect(rules.get('crowd_gathering')).toMatchObject({ minCount: 4, persistence: { kind: 'frames', k: 2, n: 3 } });
    expect(rules.get('disorderly_bikes')).toMatchObject({ minCount: 2, classes: ['bicycle', 'motorcycle'] });
    const byCamera = Object.fromEntries(c.cameras.map((cam) => [cam.id, rules.forCamera(cam).map((r) => r.id)]));
    expect(byCamera).toMatchObject({
      'school-gate': ['crowd_gathering', 'fire_smoke', 'exposed_garbage', 'overflowing_bin'],
      'transit-hub-bus': ['illegal_parking', 'disorderly_bikes', 'street_vending', 'fire_smoke', 'exposed_garbage', 'overflowing_bin'],
      'main-st-pavement': ['disorderly_bikes', 'fire_smoke', 'exposed_garbage', 'overflowing_bin'],
      'night-market': ['street_vending', 'fire_smoke', 'exposed_garbage', 'overflowing_bin'],
      'rail-overpass': ['fire_smoke'],
      'offline-camera': ['fire_smoke', 'exposed_garbage', 'overflowing_bin'],
    });
  });

  it('adds a new event type and rule from config alone, and overrides a type key by key', () => {
    const c = parseConfig(
      `cameras:\n${camera()}events:
  catalogue:
    - { id: blocked_hydrant, nameZh: 消防栓遮挡, nameEn: Blocked fire hydrant, category: 04-12, severity: high, deadlineMinutes: 30, responsibleUnit: { default: 消防救援站 } }
    - { id: illegal_parking, deadlineMinutes: 45, responsibleUnit: { market: 市场管理处 } }
  rules:
    - { id: hydrant_blocked, eventType: blocked_hydrant, classes: [car], zoneKinds: [no_parking], persistence: { kind: visits, minDurationS: 120 } }
    - { id: exposed_garbage, disabled: true }
`,
      'inline.yaml',
      { env: {} },
    );
    expect(c.events.catalogue.find((t) => t.id === 'illegal_parking')).toMatchObject({
      deadlineMinutes: 45,
      nameZh: '违章停车',
      responsibleUnit: { default: '交警大队 (traffic police brigade)', market: '市场管理处' },
    });
    expect(c.events.catalogue.at(-1)).toMatchObject({ id: 'blocked_hydrant', severity: 'high' });
    expect(c.events.catalogue.find((t) => t.id === 'illegal_parking')?.deadlineMinutesByLevel).toBeUndefined();
    expect(c.events.rules.at(-1)).toEqual({
      id: 'hydrant_blocked',
      eventType: 'blocked_hydrant',
      classes: ['car'],
      zoneKinds: ['no_parking'],
      minScore: 0.35,
      minArea: 0,
      minCount: 1,
      persistence: { kind: 'visits', minDurationS: 120, minIou: 0.5, maxGapS: 1800 },
    });
    expect(c.events.rules.map((r) => r.id)).not.toContain('exposed_garbage');
    expect(new RuleSet(c.events.rules).forCamera(c.cameras[0]!).map((r) => r.id)).toEqual(['illegal_parking', 'fire_smoke', 'overflowing_bin', 'hydrant_blocked']);
  });
});

describe('config events: every cross-check problem at its key path', () => {
  it('bad-events.yaml', async () => {
    const err = await loadConfig(join(dir, 'bad-events.yaml'), { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'cameras.0.rules.1: unknown rule "no_such_rule" (rules: illegal_parking, disorderly_bikes, street_vending, crowd_gathering, exposed_garbage, overflowing_bin, blocked_exit_boxes)',
      'cameras.0.rules.2: rule illegal_parking needs a zone of kind no_parking and the camera has none',
      'cameras.0.rules.3: rule "fire_smoke" is disabled in events.rules',
      'events.catalogue.0.responsibleUnit: needs a `default` unit for the other area types',
      'events.catalogue.1.id: "dumped_furniture" is not a shipped event type, so it needs nameZh, nameEn, category, severity, deadlineMinutes, responsibleUnit (missing: nameEn, category, severity, deadlineMinutes, responsibleUnit)',
      expect.stringMatching(/^events\.rules\.0\.eventType: unknown event type "crowd_gathring" \(known: illegal_parking, .*\)$/),
      'events.rules.0.persistence.k: k (4) cannot exceed n (3)',
      expect.stringMatching(/^events\.rules\.1\.id: no rule "no_such_shipped_rule" to disable/),
      'events.rules.3.id: "litter_bins" is not a shipped rule, so it needs eventType, classes, persistence (missing: eventType, persistence)',
      'events.rules.4.cameraIds.1: unknown camera "cam-99"',
      'events.rules.4.persistence.k: rule blocked_exit_boxes needs 5 frames with a hit, but a visit takes 3 (patrol.dwell.frames)',
    ]);
    expect(issues[0]).toMatchObject({ value: 'no_such_rule', line: 11 });
    expect(issues.find((i) => i.path === 'events.rules.4.cameraIds.1')).toMatchObject({ value: 'cam-99', line: 44 });
  });

  it('a shipped k-of-n rule that needs more frames than a visit takes points at patrol.dwell.frames', () => {
    expect(problems(`cameras:\n${camera()}patrol: { dwell: { frames: 1 } }\n`)).toEqual([
      'patrol.dwell.frames: rule fire_smoke needs 2 frames with a hit, but a visit takes 1 (patrol.dwell.frames)',
    ]);
    expect(problems(`cameras:\n${camera(', rules: [illegal_parking]')}patrol: { dwell: { frames: 1 } }\n`)).toEqual([]);
  });

  it('duplicate ids, a rule restricted to another area type, a duplicate camera rule', () => {
    expect(
      problems(`cameras:\n${camera(', rules: [fire_smoke, fire_smoke, parking_at_school]')}events:
  rules:
    - { id: parking_at_school, eventType: illegal_parking, classes: [car], areaTypes: [school], persistence: { kind: visits, minDurationS: 60 } }
    - { id: parking_at_school, minCount: 2 }
`),
    ).toEqual([
      'cameras.0.rules.1: duplicate rule "fire_smoke", first at cameras.0.rules',
      'cameras.0.rules.2: rule parking_at_school is restricted to area types school (camera is street)',
      'events.rules.1.id: duplicate rule id "parking_at_school", first at events.rules.0',
    ]);
  });
});

describe('config events: schema', () => {
  it.each([
    ['a bad severity', 'catalogue: [{ id: illegal_parking, severity: urgent }]', 'events.catalogue.0.severity'],
    ['a unit for an unknown area type', 'catalogue: [{ id: illegal_parking, responsibleUnit: { airport: x } }]', 'events.catalogue.0.responsibleUnit.airport'],
    ['a score above 1', 'rules: [{ id: illegal_parking, minScore: 1.5 }]', 'events.rules.0.minScore'],
    ['an unknown key', 'rules: [{ id: illegal_parking, minScor: 0.5 }]', 'events.rules.0.minScor'],
    ['an unknown persistence kind', 'rules: [{ id: illegal_parking, persistence: { kind: hours } }]', 'events.rules.0.persistence.kind'],
    ['k of 0', 'rules: [{ id: crowd_gathering, persistence: { kind: frames, k: 0, n: 3 } }]', 'events.rules.0.persistence.k'],
    ['a rule id in CamelCase', 'rules: [{ id: IllegalParking, disabled: true }]', 'events.rules.0.id'],
    ['an unknown anchor', 'rules: [{ id: fire_smoke, anchor: top }]', 'events.rules.0.anchor'],
    ['a deadline for an unknown level', 'catalogue: [{ id: illegal_parking, deadlineMinutesByLevel: { city: 60 } }]', 'events.catalogue.0.deadlineMinutesByLevel.city'],
    ['a level deadline of 0', 'catalogue: [{ id: illegal_parking, deadlineMinutesByLevel: { district: 0 } }]', 'events.catalogue.0.deadlineMinutesByLevel.district'],
    ['a fractional level deadline', 'catalogue: [{ id: illegal_parking, deadlineMinutesByLevel: { street_office: 1.5 } }]', 'events.catalogue.0.deadlineMinutesByLevel.street_office'],
  ])('rejects %s', (_what, events, path) => {
    const found = problems(`cameras:\n${camera()}events:\n  ${events}\n`);
    expect(found.map((p) => p.split(':')[0])).toEqual([path]);
  });

  it('rejects a camera rule id that is not an id', () => {
    expect(problems(`cameras:\n${camera(', rules: ["Fire Smoke"]')}`).map((p) => p.split(':')[0])).toEqual(['cameras.0.rules.0']);
  });
});

describe('config events: deadlines per level', () => {
  it('accepts deadlineMinutesByLevel on a new type and on a shipped one; the case deadlines use it, deadlineMinutes for the rest', () => {
    const c = parseConfig(
      `cameras:\n${camera()}events:
  catalogue:
    - { id: blocked_hydrant, nameZh: 消防栓遮挡, nameEn: Blocked fire hydrant, category: 04-12, severity: high, deadlineMinutes: 30, deadlineMinutesByLevel: { street_office: 120, district: 480 }, responsibleUnit: { default: 消防救援站 } }
    - { id: illegal_parking, deadlineMinutesByLevel: { street_office: 240, district: 600 } }
`,
      'inline.yaml',
      { env: {} },
    );
    const hydrant = c.events.catalogue.find((t) => t.id === 'blocked_hydrant')!;
    expect(hydrant.deadlineMinutesByLevel).toEqual({ street_office: 120, district: 480 });
    const parking = c.events.catalogue.find((t) => t.id === 'illegal_parking')!;
    expect(parking.deadlineMinutesByLevel).toEqual({ street_office: 240, district: 600 });
    expect(deadlineMinutesFor(parking, 'community')).toBe(parking.deadlineMinutes);
    expect([deadlineMinutesFor(hydrant, 'community'), deadlineMinutesFor(hydrant, 'street_office'), deadlineMinutesFor(hydrant, 'district')]).toEqual([30, 120, 480]);
  });
});
