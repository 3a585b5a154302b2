import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { databaseTarget } from '../../pipeline/db/database-target.ts';
import { type DatabaseHandle, openDatabase } from '../../pipeline/db/open-database.ts';
import { closeRedis, createRedis } from '../../pipeline/distributed/redis-connection.ts';
import { type Identity, openIdentity } from '../../pipeline/identity/open-identity.ts';
import type { AuditActor } from '../../pipeline/identity/principal.ts';

/** Where `users` and `tokens` find the record and Redis. */
export interface IdentityCliFlags {
  databaseUrl?: string;
  config?: string;
  storage?: string;
  redis?: string;
  prefix?: string;
}

/** Adds the connection options shared by `users` and `tokens` subcommands. */
export const IDENTITY_OPTIONS: readonly [string, string][] = [
  ['--database-url <url>', 'PostgreSQL URL of the record (default $DATABASE_URL; none: the embedded database)'],
  ['--config <file>', 'config whose storage folder, Redis URL and prefix to use'],
  ['--storage <dir>', 'storage folder of the embedded database (default: the config\'s, else .gridworker)'],
  ['--redis <url>', 'Redis URL, where sessions live (default: the config\'s redis.url, else $REDIS_URL)'],
  ['--prefix <prefix>', 'Redis key prefix (default: the config\'s redis.prefix, else gridworker)'],
];

/** The audit actor of a CLI change: the operating-system user who ran it. */
export const cliActor = (): AuditActor => ({ actor: `cli:${userInfo().username}` });

/** Opens the identity parts for a CLI command, runs `fn`, closes everything. */
export async function withIdentity<T>(flags: IdentityCliFlags, fn: (identity: Identity) => Promise<T>): Promise<T> {
  let storageDir = resolve('.gridworker');
  let redisUrl = flags.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let prefix = flags.prefix ?? 'gridworker';
  if (flags.config) {
    const path = resolve(flags.config);
    const config = await loadConfig(path);
    storageDir = resolve(dirname(path), config.storage.dir);
    redisUrl = flags.redis ?? config.redis.url;
    prefix = flags.prefix ?? config.redis.prefix;
  }
  if (flags.storage) storageDir = resolve(flags.storage);
  const record: DatabaseHandle = await openDatabase({ ...databaseTarget({ url: flags.databaseUrl ?? process.env.DATABASE_URL, storageDir }), poolSize: 2 });
  const redis = createRedis(redisUrl, 'producer');
  try {
    return await fn(openIdentity(record.db, redis, prefix));
  } finally {
    await closeRedis(redis);
    await record.close();
  }
}

/**
 * A password, never from the command line (process arguments are visible to every user of the
 * machine): $GRIDWORKER_PASSWORD, else typed at a prompt without echo, else the first line of stdin.
 */
export async function readPassword(prompt: string): Promise<string> {
  const env = process.env.GRIDWORKER_PASSWORD;
  if (env) return env;
  const input = process.stdin;
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of input) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void };
  let asked = false;
  out._writeToOutput = (s: string) => {
    // Echo the prompt once, nothing of what is typed.
    if (!asked) process.stderr.write(s);
    asked = true;
  };
  try {
    return await new Promise<string>((res) => rl.question(prompt, res));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
