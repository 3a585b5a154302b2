import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { databaseTarget } from '../../pipeline/db/database-target.ts';
import { openDatabase } from '../../pipeline/db/open-database.ts';

interface DbFlags {
  databaseUrl?: string;
  config?: string;
  storage?: string;
}

/** The embedded database's storage folder: --storage, else the config's storage.dir, else ./.gridworker. */
async function storageDir(flags: DbFlags): Promise<string> {
  if (flags.storage) return resolve(flags.storage);
  if (flags.config) {
    const path = resolve(flags.config);
    const config = await loadConfig(path);
    return resolve(dirname(path), config.storage.dir);
  }
  return resolve('.gridworker');
}

/** `gridworker db migrate`: brings the record to the newest schema and says what it did. */
export async function dbMigrate(flags: DbFlags): Promise<number> {
  const target = databaseTarget({ url: flags.databaseUrl ?? process.env.DATABASE_URL, storageDir: await storageDir(flags) });
  const h = await openDatabase({ ...target, migrate: true });
  try {
    const m = h.migration!;
    const what = m.applied.length ? `applied ${m.applied.join(', ')}` : 'already up to date';
    process.stdout.write(`${h.kind === 'postgres' ? 'PostgreSQL' : 'embedded database'} ${h.where}: ${what} (schema ${m.current ?? 'empty'})\n`);
    return 0;
  } finally {
    await h.close();
  }
}

/** Registers `gridworker db` and its subcommands. */
export function registerDb(program: Command): void {
  const db = program.command('db').description('the record (PostgreSQL, or the embedded database in the storage folder)');
  db.command('migrate')
    .description('apply the schema migrations the record does not have yet (run also does this at start)')
    .option('--database-url <url>', 'PostgreSQL URL (default $DATABASE_URL; none: the embedded database)')
    .option('--config <file>', 'config whose storage folder holds the embedded database')
    .option('--storage <dir>', 'storage folder of the embedded database (default .gridworker)')
    .action(async (flags: DbFlags) => {
      process.exitCode = await dbMigrate(flags);
    });
}
