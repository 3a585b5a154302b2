import { describe, expect, it } from 'vitest';
import type { ApiCamera } from './api-context.ts';
import { cameraGroups } from './camera-groups.ts';

const cam = (id: string, areaType: string, grid: string, priority: string, enabled = true): ApiCamera => ({ id, name: id, areaType, grid, priority, enabled, url: 'rtsp://x/y', zones: [] });

describe('cameraGroups', () => {
  it('key areas first, then all, area types, grids and priorities; disabled cameras and empty groups left out', () => {
    const groups = cameraGroups([cam('s1', 'school', 'g1', 'key'), cam('h1', 'hospital', 'g2', 'key'), cam('st', 'street', 'g1', 'normal'), cam('off', 'school', 'g9', 'low', false)]);
    expect(groups.map((g) => [g.id, g.cameraIds])).toEqual([
      ['key-areas', ['s1', 'h1']],
      ['all', ['s1', 'h1', 'st']],
      ['area:hospital', ['h1']],
      ['area:school', ['s1']],
      ['area:street', ['st']],
      ['grid:g1', ['s1', 'st']],
      ['grid:g2', ['h1']],
      ['priority:key', ['s1', 'h1']],
      ['priority:normal', ['st']],
    ]);
  });
  it('no key cameras: no key-areas group', () => {
    expect(cameraGroups([cam('a', 'street', 'g1', 'normal')]).map((g) => g.id)).not.toContain('key-areas');
  });
});
