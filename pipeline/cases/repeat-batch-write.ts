import { type Kysely, type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import type { CaseRecord } from './case-model.ts';
import { caseToRow } from './case-row.ts';
import type { Change } from './case-transitions.ts';
import { APP_NOTIFIES, type ChangeRow, changeRows, hasPhoto, type OutboxRows } from './case-write.ts';

/** One guarded change of an existing case: written only if the case is still at `prev.version`. */
export interface GuardedWrite {
  readonly prev: CaseRecord;
  readonly change: Change;
  readonly outbox: OutboxRows;
  readonly now: number;
}

type ColumnTypes = ReadonlyMap<string, ReadonlyMap<string, string>>;
const typesOf = new WeakMap<Kysely<Database>, Promise<ColumnTypes>>();

/**
 * The SQL type of every column of the record's tables, read once per connection pool from the
 * catalogue (the batch statement casts its JSON text to them, so a new column needs no code here).
 */
function columnTypes(db: Kysely<Database>): Promise<ColumnTypes> {
  let p = typesOf.get(db);
  if (!p) {
    p = sql<{ table: string; column: string; type: string }>`
      select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type"
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`
      .execute(db)
      .then((r) => {
        const out = new Map<string, Map<string, string>>();
        for (const { table, column, type } of r.rows) {
          const t = out.get(table) ?? new Map<string, string>();
          t.set(column, type);
          out.set(table, t);
        }
        return out;
      });
    // A failed read is not kept: the next batch asks again.
    p.catch(() => typesOf.delete(db));
    typesOf.set(db, p);
  }
  return p;
}

/**
 * `select <col>::<type>, ... from jsonb_to_recordset(<rows>) as r(<col> text, ...)`: many rows as
 * one JSON parameter, each value cast from its text to its column's type (a jsonb column's value
 * is JSON text, as the one-row path sends it).
 */
function recordset(types: ColumnTypes, table: string, cols: readonly string[], rows: readonly Readonly<Record<string, unknown>>[], extra: readonly string[] = []): RawBuilder<unknown> {
  const t = types.get(table);
  if (!t) throw new Error(`batch write: table ${table} is not in the record`);
  const typed = cols.map((c) => {
    const type = t.get(c);
    if (!type) throw new Error(`batch write: column ${table}.${c} is not in the record`);
    return sql`r.${sql.ref(c)}::${sql.raw(type)} as ${sql.ref(c)}`;
  });
  const json = JSON.stringify(rows.map((r) => Object.fromEntries([...cols, ...extra].map((c) => [c, r[c] === null || r[c] === undefined ? null : String(r[c])]))));
  const decl = sql.join([...cols, ...extra].map((c) => sql`${sql.ref(c)} text`));
  const more = extra.map((c) => sql`, r.${sql.ref(c)}`);
  return sql`select ${sql.join(typed)}${sql.join(more, sql``)} from jsonb_to_recordset(${json}::jsonb) as r(${decl})`;
}

/** The batch statement's one row: the ids of the cases its update wrote. */
const batchResultSchema = z.object({ ids: z.array(z.string()) });

/**
 * Writes many guarded changes of existing cases (at most one per case) as ONE statement, so one
 * commit and one WAL flush cover them all (group commit): one multi-row `update cases ... from`
 * guarded by each case's version read, and per table one multi-row insert of the changes' rows
 * (audit, sighting, evidence, outbox) taken only for the cases that update wrote. A change whose
 * case moved on writes nothing at all, as with writeGuardedChange. Durable: the statement commits
 * with the session's synchronous_commit (on). Returns the ids of the cases written.
 *
 * Like writeGuardedChange, it tells the `cases_changed` trigger not to notify: the caller
 * announces the batch after its commit (CaseChangeNotifier), so the commit takes no NOTIFY lock.
 */
export async function writeGuardedBatch(db: Kysely<Database>, writes: readonly GuardedWrite[]): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const seen = new Set<string>();
  for (const w of writes) {
    if (hasPhoto(w.change)) throw new Error(`case ${w.change.next.id}: a change with a handling photo needs writeChange (its step points at the photo row)`);
    if (seen.has(w.change.next.id)) throw new Error(`batch write: case ${w.change.next.id} appears twice in one batch (its second change would be decided on a stale version)`);
    seen.add(w.change.next.id);
  }
  const types = await columnTypes(db);
  const caseRows = writes.map((w) => ({ ...caseToRow(w.change.next), guard_version: w.prev.version }));
  const caseCols = Object.keys(caseToRow(writes[0]!.change.next));
  const setCols = caseCols.filter((c) => c !== 'id');
  const byTable = new Map<ChangeRow['table'], Readonly<Record<string, unknown>>[]>();
  for (const w of writes) {
    for (const r of changeRows(w.prev, w.change, w.outbox, w.now, null)) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r.values]);
  }
  const inserts = [...byTable].map(([table, rows], i) => {
    const cols = Object.keys(rows[0]!);
    for (const r of rows) {
      if (Object.keys(r).join() !== cols.join()) throw new Error(`batch write: rows of ${table} with different columns`);
    }
    const list = sql.join(cols.map((c) => sql.ref(c)));
    return sql`${sql.raw(`w${i}`)} as (insert into ${sql.table(table)} (${list}) select ${list} from (${recordset(types, table, cols, rows)}) x where x.case_id in (select id from u))`;
  });
  const v = recordset(types, 'cases', caseCols, caseRows, ['guard_version']);
  const target = sql.join(setCols.map((c) => sql.ref(c)));
  const source = sql.join(setCols.map((c) => sql`v.${sql.ref(c)}`));
  const update = sql`update cases c set (${target}) = (${source}) from v where c.id = v.id and c.version = v.guard_version::int returning c.id`;
  // One result row even when no case was written: the statement trigger fires either way, and it
  // must find the setting the final select makes.
  const res = await sql<{ ids: unknown }>`with v as (${v}), u as (${update})${sql.join(
    inserts.map((q) => sql`, ${q}`),
    sql``,
  )} select coalesce((select json_agg(id) from u), '[]') as ids, ${APP_NOTIFIES}`.execute(db);
  return new Set(batchResultSchema.parse(res.rows[0]).ids);
}
