import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import type { IdentityTables } from '../identity/identity-tables.ts';
import type { PromotionRecord } from './shadow-standing.ts';

const detailSchema = z.record(z.string(), z.unknown());

/**
 * Promotions of shadow candidates, kept in the record (table model_promotions): once promoted a
 * candidate runs as an active model on its cameras and its hits are dispatched. Each promotion is
 * written once, with its system audit line in the same transaction; a second promoter of the same
 * model (another worker, an operator) changes nothing.
 */
export class ModelPromotions {
  private known = new Map<string, PromotionRecord>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Card ids promoted, as of the last `refresh` or `promote`. */
  get promoted(): ReadonlySet<string> {
    return new Set(this.known.keys());
  }

  /** The promotion of a model, as of the last `refresh`. */
  get(model: string): PromotionRecord | null {
    return this.known.get(model) ?? null;
  }

  /** Reads every promotion from the record. */
  async refresh(): Promise<ReadonlyMap<string, PromotionRecord>> {
    const rows = await this.db.selectFrom('model_promotions').select(['model', 'promoted_at', 'by', 'detail']).execute();
    this.known = new Map(rows.map((r) => {
      detailSchema.parse(r.detail);
      return [r.model, { model: r.model, at: Number(r.promoted_at), by: r.by }];
    }));
    return this.known;
  }

  /**
   * Promotes a candidate, with a system audit line ("model.promote"). Returns false when it was
   * promoted already (nothing written).
   */
  async promote(model: string, actor: { readonly actor: string; readonly role?: string; readonly ip?: string }, at: number, detail: Readonly<Record<string, unknown>>): Promise<boolean> {
    const written = await this.db.transaction().execute(async (tx) => {
      const res = await tx
        .insertInto('model_promotions')
        .values({ model, promoted_at: at, by: actor.actor, detail: JSON.stringify(detail) })
        .onConflict((oc) => oc.column('model').doNothing())
        .returning('model')
        .executeTakeFirst();
      if (!res) return false;
      await tx
        .withTables<Pick<IdentityTables, 'system_audit'>>()
        .insertInto('system_audit')
        .values({ at, actor: actor.actor, role: actor.role ?? null, ip: actor.ip ?? null, action: 'model.promote', target: model, detail: JSON.stringify(detail) })
        .execute();
      return true;
    });
    await this.refresh();
    return written;
  }
}
