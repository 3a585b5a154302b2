/**
 * A throw-away PostgreSQL server of a test's own (initdb + postgres on a free port), so a test can
 * SIGKILL it without touching the shared server on 5432. Uses Debian's postgresql binaries (the
 * newest /usr/lib/postgresql/<v>/bin), run as the `postgres` user when the test runs as root
 * (initdb refuses root). Trust auth, bound to 127.0.0.1 only.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running server of the test's own. */
export interface OwnPostgres {
  readonly port: number;
  /** URL of its `postgres` database. */
  readonly url: string;
  /**
   * SIGKILL the postmaster (no shutdown checkpoint: a crash; its backends linger until they notice),
   * or with `immediate` SIGQUIT it (PostgreSQL's immediate shutdown: every backend ends first, no
   * checkpoint either, so nothing still answers on an open connection once this returns).
   */
  kill(how?: 'sigkill' | 'immediate'): Promise<void>;
  /** Starts it again on the same folder and port (crash recovery runs). */
  start(): Promise<void>;
  /** Stops it and removes its folder. Safe to call twice. */
  close(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  const v = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!v) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (scripts/setup.sh --test installs them)');
  return join(root, v, 'bin');
}

const asRoot = (): boolean => process.getuid?.() === 0;
const uidOf = (user: string): [number, number] => {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no ${user} user`);
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
};
const command = (bin: string, args: string[]): [string, string[]] => (asRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]);

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** initdb's a fresh folder and starts a server on `port`. */
export async function startOwnPostgres(port: number): Promise<OwnPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'gw-pg-'));
  if (asRoot()) {
    const [uid, gid] = uidOf('postgres');
    chownSync(dir, uid, gid);
  }
  const [initCmd, initArgs] = command(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  if (asRoot()) execFileSync('runuser', ['-u', 'postgres', '--', 'mkdir', join(dir, 'data')]);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [cmd, args] = command(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1']);
      child = spawn(cmd, args, { stdio: 'ignore' });
      const until = Date.now() + 10_000;
      while (Date.now() < until && child.exitCode === null) {
        if (await answers(url)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Exited at once: orphaned backends of a killed server may still hold its shared memory.
      if (Date.now() > deadline) throw new Error(`own PostgreSQL on port ${port} did not start`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const postmasterPid = (): number | undefined => {
    const f = join(dir, 'data', 'postmaster.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8').split('\n')[0]) : undefined;
  };
  await start();
  let closed = false;
  return {
    port,
    url,
    start,
    async kill(how = 'sigkill') {
      const pid = postmasterPid();
      if (pid) process.kill(pid, how === 'immediate' ? 'SIGQUIT' : 'SIGKILL');
      // Immediate shutdown: the postmaster removes its pid file once every backend has ended.
      if (how === 'immediate') while (postmasterPid() !== undefined) await new Promise((r) => setTimeout(r, 50));
      while (await answers(url)) await new Promise((r) => setTimeout(r, 50));
    },
    async close() {
      if (closed) return;
      closed = true;
      const pid = postmasterPid();
      if (pid) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // Already gone.
        }
      }
      const end = Date.now() + 10_000;
      while (Date.now() < end && postmasterPid() !== undefined && (await answers(url))) await new Promise((r) => setTimeout(r, 100));
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
