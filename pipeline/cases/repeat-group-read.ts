import type { Kysely } from 'kysely';
import type { Database } from '../db/db-schema.ts';
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
  resolve(cases: CaseRecord[]): void;
  reject(err: unknown): void;
}

const groupId = (k: Pick<GroupKey, 'cameraId' | 'eventType' | 'shadow'>): string => JSON.stringify([k.cameraId, k.eventType, k.shadow]);

/**
 * Reads of case groups coalesced like RepeatGroupCommit's writes: the groups asked for while
 * `maxInFlight` reads are running go together as one select, and each caller gets its own group
 * (active cases, and those closed since its `closedSince`, by id). No timer. A read is never
 * older than the caller's request (it starts after it), and the writes that follow are guarded by
 * the version read, so batching changes no decision. A failed read fails each of its callers.
 */
export class RepeatGroupRead {
  private readonly queue: Pending[] = [];
  private running = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { readonly maxInFlight?: number; readonly maxBatch?: number } = {},
  ) {}

  /** The group's cases, oldest id first. */
  read(key: GroupKey): Promise<CaseRecord[]> {
    return new Promise<CaseRecord[]>((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (this.running < (this.options.maxInFlight ?? 2)) {
        this.running++;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 64);
      if (batch.length === 0) {
        this.running--;
        return;
      }
      try {
        const cases = await this.select(batch.map((p) => p.key));
        for (const p of batch) {
          const id = groupId(p.key);
          p.resolve(cases.filter((c) => groupId({ cameraId: c.cameraId, eventType: c.eventType, shadow: c.shadow === true }) === id && (isActive(c.status) || (c.closedAt ?? -Infinity) >= p.key.closedSince)));
        }
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  private async select(keys: readonly GroupKey[]): Promise<CaseRecord[]> {
    const groups = [...new Map(keys.map((k) => [groupId(k), k])).values()];
    const since = Math.min(...keys.map((k) => k.closedSince));
    const rows: unknown[] = await selectCases(this.db)
      .where((eb) => eb.or(groups.map((g) => eb.and([eb('cases.camera_id', '=', g.cameraId), eb('cases.event_type', '=', g.eventType), eb('cases.shadow', '=', g.shadow)]))))
      .where((eb) => eb.or([eb('cases.active', '=', true), eb('cases.closed_at', '>=', since)]))
      .orderBy('cases.id')
      .execute();
    return rows.map(rowToCase);
  }
}
