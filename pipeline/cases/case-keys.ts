import type { CaseStatus } from '../events/event-model.ts';

/**
 * Redis key names of the case store, all under one prefix:
 * - `case:<id>` the record (JSON string); `audit:<id>` its audit trail (list of JSON AuditEntry)
 * - `grp:<camera>:<type>:active` ids of active cases (open, claimed, confirmed) — dedup candidates
 * - `grp:<camera>:<type>:closed` closed ids scored by closing time — cooldown candidates
 * - `grp:<camera>:<type>:ver` a counter bumped whenever the group's membership changes; opening a
 *   case is a compare-and-set on it, so two workers cannot open two cases for one thing
 * - `idx:<name>` list indexes: sorted sets with every score 0, ordered by member (case ids sort by
 *   time): `all`, `status:<s>`, `pending` (open + claimed), `grid:<g>`, `type:<t>`, `camera:<c>`,
 *   `undispatched`
 */
export class CaseKeys {
  constructor(readonly prefix: string) {}

  case(id: string): string {
    return `${this.prefix}:case:${id}`;
  }
  audit(id: string): string {
    return `${this.prefix}:audit:${id}`;
  }
  active(cameraId: string, type: string): string {
    return `${this.prefix}:grp:${cameraId}:${type}:active`;
  }
  closed(cameraId: string, type: string): string {
    return `${this.prefix}:grp:${cameraId}:${type}:closed`;
  }
  version(cameraId: string, type: string): string {
    return `${this.prefix}:grp:${cameraId}:${type}:ver`;
  }
  index(name: 'all' | 'pending' | 'undispatched'): string {
    return `${this.prefix}:idx:${name}`;
  }
  byStatus(status: CaseStatus): string {
    return `${this.prefix}:idx:status:${status}`;
  }
  byGrid(grid: string): string {
    return `${this.prefix}:idx:grid:${grid}`;
  }
  byType(type: string): string {
    return `${this.prefix}:idx:type:${type}`;
  }
  byCamera(cameraId: string): string {
    return `${this.prefix}:idx:camera:${cameraId}`;
  }
  /** A scratch key for one list query's intersection (deleted in the same transaction). */
  scratch(token: string): string {
    return `${this.prefix}:tmp:${token}`;
  }
}
