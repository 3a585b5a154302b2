import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/db-schema.ts';
import type { EventTypeDef } from '../events/event-model.ts';

/** A stable JSON text of a value: object keys sorted, so equal catalogues hash alike. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Records the event-type catalogue in force (types, deadlines, responsible units) as a version in
 * `catalogue_versions`, once per distinct content, and returns its version number. Cases opened
 * under it carry the number, so a deadline or unit can be traced to the catalogue that set it
 * after the config changed.
 */
export async function recordCatalogueVersion(db: Kysely<Database>, catalogue: readonly EventTypeDef[], now: number): Promise<number> {
  const text = stableJson([...catalogue].sort((a, b) => a.id.localeCompare(b.id)));
  const hash = createHash('sha256').update(text).digest('hex');
  await db.insertInto('catalogue_versions').values({ hash, catalogue: text, created_at: now }).onConflict((oc) => oc.column('hash').doNothing()).execute();
  const row = await db.selectFrom('catalogue_versions').select('version').where('hash', '=', hash).executeTakeFirstOrThrow();
  return row.version;
}
