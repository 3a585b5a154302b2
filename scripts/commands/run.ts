import { dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../../pipeline/config/load-config.ts';
import { type LocalRedis, redisAnswers, startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { closeRedis, createRedis, maskRedisUrl } from '../../pipeline/distributed/redis-connection.ts';
import { redisSettingWarnings } from '../../pipeline/distributed/redis-settings.ts';
import { type Role, type Running, startGridworker } from '../../pipeline/gridworker-main.ts';
import { configureLogging } from '../../pipeline/log.ts';
import { createDemoUsers } from '../../pipeline/identity/bootstrap.ts';
import { collect, numberIn } from './model-options.ts';
import { cleanDemoState } from './demo-state.ts';
import { DEMO_SCHEMA, prepareDemoSchema } from '../../pipeline/db/demo-schema.ts';
import { describeDatabaseUrl } from '../../pipeline/db/database-url.ts';
import { RunProgress } from './run-progress.ts';
import { type DemoEnvironment, startDemoEnvironment } from './run-demo.ts';

interface RunFlags {
  config?: string;
  demo?: boolean;
  role: Role[];
  redis?: string;
  port?: number;
  metricsPort?: number;
  modelDir: string[];
  progress: boolean;
  logFile?: string;
  logFormat: 'human' | 'json';
  keepState?: boolean;
  name?: string;
  databaseUrl?: string;
  evidenceDays?: number;
}

const ROLES: readonly Role[] = ['scheduler', 'worker', 'api'];
const root = join(import.meta.dirname, '..', '..');

function parseRole(value: string, previous: Role[] = []): Role[] {
  const roles = value.split(',').map((s) => s.trim());
  for (const r of roles) if (!ROLES.includes(r as Role)) throw new InvalidArgumentError(`--role must be scheduler, worker or api (got "${r}")`);
  return [...previous, ...(roles as Role[])];
}

const isLocal = (url: string): boolean => /^redis:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url);

/** Redis at the URL if it answers; else, for a local URL, a redis-server started for this run. */
async function ensureRedis(url: string, say: (line: string) => void): Promise<{ url: string; local?: LocalRedis }> {
  if (await redisAnswers(url)) return { url };
  if (!isLocal(url)) throw new Error(`Redis at ${maskRedisUrl(url)} does not answer (set REDIS_URL or redis.url in the config)`);
  const local = await startLocalRedis();
  say(`no Redis at ${url}: started redis-server at ${local.url} for this run (nothing kept on disk)`);
  return { url: local.url, local };
}

/** `gridworker run`: the main job. */
export async function runMain(flags: RunFlags): Promise<number> {
  // stdout carries one kind of line: human lines (default, TTY or not; JSON logs go to the log
  // file), or JSON log records with --log-format json (human lines then go to stderr).
  const json = flags.logFormat === 'json';
  const say = (line: string): void => {
    (json ? process.stderr : process.stdout).write(`${line}\n`);
  };
  const interactive = !json && flags.progress && process.stdout.isTTY === true;
  const logFile = flags.logFile ?? join(root, '.gridworker', 'gridworker.log');
  configureLogging(json ? { fd: 1 } : { file: logFile });
  const roles = flags.role.length ? [...new Set(flags.role)] : [...ROLES];
  let demo: DemoEnvironment | undefined;
  let redis: { url: string; local?: LocalRedis } | undefined;
  let running: Running | undefined;
  let progress: RunProgress | undefined;
  const shutdown = async (): Promise<void> => {
    progress?.stop();
    await running?.close();
    await redis?.local?.close();
    await demo?.close();
  };
  try {
    if (flags.demo || !flags.config) {
      demo = await startDemoEnvironment(say);
    }
    const configPath = resolve(flags.config ?? demo!.configPath);
    const config = await loadConfig(configPath, { env: { ...process.env, ...(demo?.env ?? {}) } });
    redis = await ensureRedis(flags.redis ?? config.redis.url, say);
    if (!redis.local) {
      const probe = createRedis(redis.url, 'producer');
      try {
        for (const w of await redisSettingWarnings(probe)) say(`WARNING: ${w}`);
      } finally {
        await closeRedis(probe);
      }
    }
    if (demo) {
      if (flags.keepState) say(`demo: keeping the state of the last run (Redis prefix ${config.redis.prefix}, ${resolve(dirname(configPath), config.storage.dir)})`);
      else {
        const keys = await cleanDemoState(config, dirname(configPath), redis.url);
        say(`demo: starting clean (removed ${keys} Redis keys under ${config.redis.prefix}: and the demo storage folder; --keep-state keeps them)`);
      }
    }
    let databaseUrl = (flags.databaseUrl ?? process.env.DATABASE_URL)?.trim() || undefined;
    if (demo && databaseUrl) {
      // The demo's record on a real server lives in a schema of its own: a clean start drops only that.
      const schema = await prepareDemoSchema(databaseUrl, { keepState: flags.keepState === true });
      databaseUrl = schema.url;
      say(`demo: record in schema ${DEMO_SCHEMA} of ${describeDatabaseUrl(databaseUrl)} (${schema.reset ? 'reset' : 'kept'}); no other schema is touched`);
    }
    running = await startGridworker({
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(flags.evidenceDays !== undefined ? { evidenceRetentionDays: flags.evidenceDays } : {}),
      config,
      configDir: dirname(configPath),
      roles,
      redisUrl: redis.url,
      modelDirs: flags.modelDir,
      ...(flags.name ? { instanceName: flags.name } : {}),
      ...(flags.port !== undefined ? { apiPort: flags.port } : {}),
      ...(flags.metricsPort !== undefined ? { metricsPort: flags.metricsPort } : {}),
      loadConfig: () => loadConfig(configPath, { env: { ...process.env, ...(demo?.env ?? {}) } }),
    });
    say(`gridworker running: ${roles.join(', ')} | ${config.cameras.length} cameras | Redis ${maskRedisUrl(redis.url)}`);
    if (running.database) say(`record: ${running.database.kind === 'postgres' ? `PostgreSQL ${running.database.where}` : `embedded database ${running.database.where} (single process; set DATABASE_URL to split roles)`}`);
    if (running.models) say(`models: ${running.models.cards.map((c) => `${c.id}@${c.version}`).join(', ') || 'none'} (each camera runs those its config names; a reload loads new ones)`);
    if (running.rules) {
      say(`event rules these models can raise: ${running.rules.enabled.map((r) => r.id).join(', ') || 'none'}`);
      for (const note of running.rules.disabled) say(`  idle: ${note.message}`);
    }
    if (running.api) {
      say(`API: ${running.api.url}/api/patrol/status  ${running.api.url}/api/cameras  ${running.api.url}/api/cases  ${running.api.url}/api/accuracy  ${running.api.url}/metrics`);
      say(`log in at ${running.api.url}/login; grid workers verify cases at ${running.api.url}/verify (phone-sized page)`);
      say(`     machines: gridworker tokens create <name> --role <role>, then curl -H "Authorization: Bearer $TOKEN" ${running.api.url}/api/patrol/status`);
      if (demo && running.identity) {
        // The demo has no set-up: one user per role, fresh random passwords each start.
        const grids = [...new Set(config.cameras.map((c) => c.grid))];
        const logins = await createDemoUsers(running.identity.accounts, grids);
        say('demo users (new passwords every start):');
        for (const l of logins) say(`     ${l.username.padEnd(18)} ${l.password}  ${l.role}${l.grids.length ? ` (grids ${l.grids.join(', ')})` : ''}`);
      } else if (running.admin?.state === 'missing') {
        say(`NO ADMIN: the API refuses every write until one exists. ${running.admin.howTo}`);
      }
    }
    if (running.metricsEndpoint) say(`metrics: ${running.metricsEndpoint.url}/metrics (Prometheus; a token whose role may read metrics, e.g. gridworker tokens create prometheus --role viewer)`);
    if (!json) say(`logs (JSON): ${logFile}`);
    say('Ctrl-C stops everything cleanly; SIGHUP reloads the config (cameras, plan, models) without a restart.');
    if (!json) {
      progress = new RunProgress(running, config, interactive);
      progress.start();
    }
    const live = running;
    process.on('SIGHUP', () => {
      loadConfig(configPath, { env: { ...process.env, ...(demo?.env ?? {}) } })
        .then(async (next) => {
          await live.reload(next);
          say(`SIGHUP: reloaded ${configPath}: ${next.cameras.length} cameras, models: ${live.models?.cards.map((c) => c.id).join(', ') || 'none'}`);
          await live.identity?.store.appendAudit({ at: Date.now(), actor: 'system', action: 'config.reload', detail: { via: 'SIGHUP', cameras: next.cameras.length } });
        })
        .catch((err: unknown) => say(`SIGHUP: config not reloaded, kept the running one: ${(err as Error).message}`));
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    process.stderr.write(`gridworker run: ${typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `${code}: ` : ''}${(err as Error).message}\n`);
    await shutdown();
    return 1;
  }
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string): void => {
      running?.beginShutdown();
      // The status line goes first, so the shutdown message starts on a line of its own.
      progress?.stop();
      say(`${signal}: stopping (HTTP, scheduler, workers, queues, Redis)...`);
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await shutdown();
  say('stopped.');
  return 0;
}

/** A commander parser for a TCP port flag: 0-65535. */
const portOption =
  (flag: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${flag} must be 0-65535, got "${v}"`);
    return n;
  };

/** Registers `gridworker run`. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the patrol: scheduler, workers and HTTP API (all in one process, or one role each)')
    .option('--config <file>', 'config file (YAML or JSON); without it the bundled demo runs')
    .option('--demo', 'start the bundled fixture RTSP server and use the demo config')
    .option('--role <role>', 'scheduler, worker or api (repeatable or comma-separated; default all three)', parseRole, [])
    .option('--redis <url>', 'Redis URL (default: the config\'s redis.url, else $REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--port <n>', 'API port (0 = any free)', portOption('--port'))
    .option('--metrics-port <n>', 'port of /metrics in a process without the api role (default: the config\'s api.metricsPort, 9464; 0 = any free)', portOption('--metrics-port'))
    .option('--model-dir <dir>', 'folder to look in for model files (repeatable)', collect, [])
    .option('--no-progress', 'plain log lines instead of the live progress line')
    .option('--name <name>', 'this process among the workers of one host (logs); default main')
    .option('--evidence-days <n>', 'delete evidence files and visit records older than this, except what cases show (before/after pairs); default 90', numberIn(1, 36_500, '--evidence-days'))
    .option('--database-url <url>', 'PostgreSQL URL of the record (default $DATABASE_URL; none: the embedded database in the storage folder, all roles in one process only)')
    .option('--log-file <file>', 'write JSON logs here (default: .gridworker/gridworker.log)')
    .addOption(new Option('--log-format <format>', 'human: human lines on stdout, JSON logs to the log file; json: JSON logs on stdout (human lines to stderr)').choices(['human', 'json']).default('human'))
    .option('--keep-state', 'with --demo: keep the last demo run\'s cases, health and cooldowns (default: start clean)')
    .action(async (flags: RunFlags) => {
      process.exitCode = await runMain(flags);
    });
}
