import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import type { CaseGroup } from './case-group.ts';
import { BatchLanes } from './batch-lanes.ts';
import { selectCases } from './case-list.ts';
import type { CaseRecord } from './case-model.ts';
import { rowToCase } from './case-row.ts';
import { isActive } from './case-transitions.ts';

/** A case group: one camera's cases of one type (a shadow candidate's apart), and how far back closed ones count. */
export interface GroupKey {
  readonly cameraId: string;
  readonly eventType: string;
  readonly shadow: boolean;
  /** Closed cases count when closed at or after this, epoch ms (the cooldown). */
  readonly closedSince: number;
}

interface Pending {
  readonly key: GroupKey;
  resolve(group: CaseGroup): void;
  reject(err: unknown): void;
}

const groupId = (k: Pick<GroupKey, 'cameraId' | 'eventType' | 'shadow'>): string => JSON.stringify([k.cameraId, k.eventType, k.shadow]);

/** The coalesced read: the asked groups' open counts (groups never opened have no row) and their cases, each case then checked by rowToCase. */
const readSchema = z.object({
  groups: z.array(z.object({ camera_id: z.string(), event_type: z.string(), shadow: z.boolean(), opened: z.number().int().nonnegative() })),
  cases: z.array(z.unknown()),
});

/** What one read of many groups found: every case of any of them, and each group's open count by groupId. */
interface Found {
  readonly cases: CaseRecord[];
  readonly opened: ReadonlyMap<string, number>;
}

/**
 * Reads of case groups coalesced like RepeatGroupCommit's writes: the groups asked for while
 * `maxInFlight` reads are running go together as one select, and each caller gets its own group
 * (active cases, and those closed since its `closedSince`, by id) with the group's open count
 * (case_groups) read in the same statement, so that count guards an open decided on exactly
 * those cases (writeOpen), as readGroup's does. No timer. A read is never
 * older than the caller's request (it starts after it), and the writes that follow are guarded by
 * the version read, so batching changes no decision. A failed read fails each of its callers.
 */
export class RepeatGroupRead {
  private readonly lanes: BatchLanes<Pending>;

  constructor(
    private readonly db: Kysely<Database>,
    options: { readonly maxInFlight?: number; readonly maxBatch?: number } = {},
  ) {
    const maxBatch = options.maxBatch ?? 64;
    this.lanes = new BatchLanes<Pending>(options.maxInFlight ?? 2, (queue) => queue.splice(0, maxBatch), (batch) => this.answer(batch));
  }

  /** The group's cases, oldest id first, and its open count. */
  read(key: GroupKey): Promise<CaseGroup> {
    return new Promise<CaseGroup>((resolve, reject) => this.lanes.push({ key, resolve, reject }));
  }

  /** One select for the batch; each caller gets its own group, or the read's error. */
  private async answer(batch: readonly Pending[]): Promise<void> {
    try {
      const found = await this.select(batch.map((p) => p.key));
      for (const p of batch) {
        const id = groupId(p.key);
        const { cameraId, eventType, shadow } = p.key;
        p.resolve({
          cases: found.cases.filter((c) => groupId({ cameraId: c.cameraId, eventType: c.eventType, shadow: c.shadow === true }) === id && (isActive(c.status) || (c.closedAt ?? -Infinity) >= p.key.closedSince)),
          guard: { cameraId, eventType, shadow, opened: found.opened.get(id) ?? 0 },
        });
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** One statement (one snapshot): the asked groups' open counts and cases, as JSON arrays so both come even when either is empty. */
  private async select(keys: readonly GroupKey[]): Promise<Found> {
    const groups = [...new Map(keys.map((k) => [groupId(k), k])).values()];
    const since = Math.min(...keys.map((k) => k.closedSince));
    const cases = selectCases(this.db)
      .where((eb) => eb.or(groups.map((g) => eb.and([eb('cases.camera_id', '=', g.cameraId), eb('cases.event_type', '=', g.eventType), eb('cases.shadow', '=', g.shadow)]))))
      .where((eb) => eb.or([eb('cases.active', '=', true), eb('cases.closed_at', '>=', since)]));
    const counts = this.db
      .selectFrom('case_groups')
      .select(['camera_id', 'event_type', 'shadow', 'opened'])
      .where((eb) => eb.or(groups.map((g) => eb.and([eb('camera_id', '=', g.cameraId), eb('event_type', '=', g.eventType), eb('shadow', '=', g.shadow)]))));
    const r = await sql<{ groups: unknown; cases: unknown }>`
      select coalesce((select json_agg(g) from (${counts}) g), '[]') as groups,
        coalesce((select json_agg(c order by c.id) from (${cases}) c), '[]') as cases`.execute(this.db);
    const row = readSchema.parse(r.rows[0]);
    return {
      cases: row.cases.map(rowToCase),
      opened: new Map(row.groups.map((g) => [groupId({ cameraId: g.camera_id, eventType: g.event_type, shadow: g.shadow }), g.opened])),
    };
  }
}
