import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../pipeline/db/migrations/migration-list.ts';
import { type ScratchDatabase, createScratchDatabase } from '../../pipeline/db/scratch-database.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'scripts', 'gridworker.mjs');

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('gridworker db migrate (command line)', () => {
  let scratch: ScratchDatabase;
  let dir: string;
  beforeAll(async () => {
    scratch = await createScratchDatabase(undefined, 'cli');
    dir = await mkdtemp(join(tmpdir(), 'gw-dbcli-'));
  });
  afterAll(async () => {
    await scratch.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates the PostgreSQL at DATABASE_URL once, then says it is up to date', async () => {
    const first = await cli({ DATABASE_URL: scratch.url }, 'db', 'migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`applied ${Object.keys(MIGRATIONS).join(', ')}`);
    expect(first.stdout).toContain(`127.0.0.1:5432/${scratch.name}`);
    const again = await cli({}, 'db', 'migrate', '--database-url', scratch.url);
    expect(again.stdout).toContain('already up to date');
  });

  it('migrates the embedded database in the storage folder when there is no URL', async () => {
    const r = await cli({}, 'db', 'migrate', '--storage', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^embedded database .*\/db: applied 0001-record/);
  });

  it('exits 1 naming host:port, not the password, when PostgreSQL is unreachable', async () => {
    const r = await cli({ DATABASE_URL: 'postgres://gw:pw-never-shown@127.0.0.1:1/gw' }, 'db', 'migrate');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PostgreSQL at 127.0.0.1:1/gw is unreachable');
    expect(r.stderr).not.toContain('pw-never-shown');
  });
});
