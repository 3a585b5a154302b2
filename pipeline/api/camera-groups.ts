import type { ApiCamera } from './api-context.ts';

/** A set of cameras the wall can rotate over. */
export interface CameraGroup {
  /** Stable id: `key-areas`, `all`, `area:<type>`, `grid:<grid>`, `priority:<p>`. */
  readonly id: string;
  readonly kind: 'key-areas' | 'all' | 'area' | 'grid' | 'priority';
  /** The area type, grid or priority the group is of (absent for key-areas and all). */
  readonly value?: string;
  readonly cameraIds: readonly string[];
}

/**
 * The wall's camera groups, derived from the config: key areas first (key-priority cameras, the
 * default rotation of 一键轮巡), then every camera, then one group per area type, grid and
 * priority. Disabled cameras are left out; empty groups are not listed.
 */
export function cameraGroups(cameras: readonly ApiCamera[]): CameraGroup[] {
  const on = cameras.filter((c) => c.enabled);
  const by = (kind: 'area' | 'grid' | 'priority', of: (c: ApiCamera) => string): CameraGroup[] =>
    [...new Set(on.map(of))].sort().map((value) => ({ id: `${kind}:${value}`, kind, value, cameraIds: on.filter((c) => of(c) === value).map((c) => c.id) }));
  const groups: CameraGroup[] = [
    { id: 'key-areas', kind: 'key-areas', cameraIds: on.filter((c) => c.priority === 'key').map((c) => c.id) },
    { id: 'all', kind: 'all', cameraIds: on.map((c) => c.id) },
    ...by('area', (c) => c.areaType),
    ...by('grid', (c) => c.grid),
    ...by('priority', (c) => c.priority),
  ];
  return groups.filter((g) => g.cameraIds.length > 0);
}
