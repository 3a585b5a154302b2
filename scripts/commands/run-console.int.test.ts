import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../../pipeline/distributed/local-redis.ts';
import { GRIDWORKER_BIN, PROJECT_ROOT, runGridworker } from '../../test-fixtures/lib/run-cli.ts';

/** Runs the demo with stdout piped (not a TTY) until `enough` holds for what it printed, then Ctrl-C. */
async function demoUntil(redisUrl: string, extra: readonly string[], enough: (stdout: string) => boolean): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [GRIDWORKER_BIN, 'run', '--demo', '--port', '0', '--redis', redisUrl, ...extra], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const end = Date.now() + 90_000;
  while (!enough(stdout) && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  const code = await exited;
  return { stdout, stderr, code };
}

const visitLines = (out: string): string[] => out.split('\n').filter((l) => /^\d\d:\d\d:\d\d \S+\s+(ok|FAILED)/.test(l));

describe('gridworker run: the console a person reads (stdout piped, demo on its own Redis)', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startLocalRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('only human lines on stdout, stamped in order; Ctrl-C stops cleanly without a lost-lease warning', async () => {
    const run = await demoUntil(redis.url, ['--no-progress'], (out) => visitLines(out).length >= 4);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    const stamps = lines.map((l) => /^(\d\d:\d\d:\d\d) /.exec(l)?.[1]).filter((t): t is string => t !== undefined);
    expect(stamps.length).toBeGreaterThanOrEqual(4);
    expect([...stamps].sort()).toEqual(stamps);
    expect(run.stdout).toMatch(/demo: starting clean/);
    expect(run.stdout).not.toMatch(/lost the scheduler lease/);
    expect(run.stdout).toMatch(/\nSIGINT: stopping/);
    expect(lines.at(-1)).toBe('stopped.');
  });

  it('--log-format json: stdout is JSON log records only', async () => {
    const run = await demoUntil(redis.url, ['--log-format', 'json', '--keep-state'], (out) => out.split('\n').filter((l) => l.includes('"became patrol leader"')).length > 0);
    const lines = run.stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(run.stderr).toMatch(/demo: keeping the state/);
  });

  it('--version prints the package version', async () => {
    const run = await runGridworker('--version');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
