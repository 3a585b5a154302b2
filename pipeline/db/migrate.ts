import { type Kysely, type MigrationResult, Migrator, sql } from 'kysely';
import type { Database } from './db-schema.ts';
import { MigrationError } from './db-errors.ts';
import { MIGRATIONS } from './migrations/migration-list.ts';

/** What a migration run did: the migrations applied now, and every one the database now has. */
export interface MigrationReport {
  readonly applied: readonly string[];
  readonly current: string | null;
}

/**
 * Brings the database to the newest schema, one transaction per migration (Kysely's Migrator,
 * which also takes a lock so two processes starting together migrate once). Unordered
 * migrations are allowed: parallel branches add files whose names may sort before one a
 * database already has, and each must still run once.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r: MigrationResult) => r.status === 'Error');
  if (error !== undefined) throw new MigrationError(failed?.migrationName ?? '(before any migration ran)', { cause: error });
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  const all = await migrator.getMigrations();
  const done = all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
  return { applied, current: done.at(-1) ?? null };
}

/** Migrates up to and including `name` (tests: a database as an older release left it). */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateTo(name);
  if (error !== undefined) throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName ?? name, { cause: error });
}

/**
 * A migrator whose bookkeeping tables live in the connection's current schema (the first of its
 * search_path), next to the tables it migrates: Kysely otherwise finds `kysely_migration` in any
 * schema, so a second record in the same database (the demo's schema) would read another's.
 */
async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? undefined;
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}
