import type { GridworkerConfig } from '../config/config-schema.ts';
import type { SchedulerCamera, SchedulerPlan } from './types.ts';

/** The scheduler's camera list from a validated config. */
export function schedulerCameras(config: Pick<GridworkerConfig, 'cameras'>): SchedulerCamera[] {
  return config.cameras.map((c) => ({ id: c.id, priority: c.priority, areaType: c.areaType, enabled: c.enabled }));
}

/** The scheduler's plan from a validated config's `patrol` section. */
export function schedulerPlan(config: Pick<GridworkerConfig, 'patrol'>): SchedulerPlan {
  const p = config.patrol;
  const { byAreaType, ...targets } = p.revisitTargets;
  return {
    targets,
    areaTargets: byAreaType,
    windows: p.timeWindows,
    timezone: p.timezone,
    starvationFactor: p.starvationFactor,
    leadFraction: p.leadFraction,
  };
}
