import { describe, expect, it } from 'vitest';
import { cameraModelPlan, type PlannedShadow } from './camera-model-plan.ts';

const cam = (id: string, grid = 'g1', areaType = 'street') => ({ id, grid, areaType });
const onGrid = (grid: string) => (c: { grid: string }) => c.grid === grid;
const fire: PlannedShadow = { model: 'fire-v2', replaces: 'fire-v1', covers: onGrid('trial') };
const garbage: PlannedShadow = { model: 'garbage', covers: onGrid('trial') };

describe('cameraModelPlan', () => {
  it.each([
    ['outside every group: its own detectors', cam('a'), ['coco', 'fire-v1'], [], { active: ['coco', 'fire-v1'], shadow: [] }],
    ['repeated detectors run once', cam('a'), ['coco', 'coco'], [], { active: ['coco'], shadow: [] }],
    ['in a group: the candidates run in shadow', cam('b', 'trial'), ['coco', 'fire-v1'], [], { active: ['coco', 'fire-v1'], shadow: ['fire-v2', 'garbage'] }],
    ['promoted: the candidate is active and the model it replaces stops', cam('b', 'trial'), ['coco', 'fire-v1'], ['fire-v2'], { active: ['coco', 'fire-v2'], shadow: ['garbage'] }],
    ['promoted without replacing: added beside', cam('b', 'trial'), ['coco'], ['garbage'], { active: ['coco', 'garbage'], shadow: ['fire-v2'] }],
    ['a candidate the camera already runs is not run twice', cam('b', 'trial'), ['garbage'], [], { active: ['garbage'], shadow: ['fire-v2'] }],
    ['a promotion outside the group changes nothing there', cam('a'), ['fire-v1'], ['fire-v2'], { active: ['fire-v1'], shadow: [] }],
  ] as const)('%s', (_label, camera, detectors, promoted, expected) => {
    expect(cameraModelPlan(camera, detectors, [fire, garbage], new Set(promoted))).toEqual(expected);
  });
});
