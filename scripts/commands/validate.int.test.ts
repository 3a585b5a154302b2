import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'scripts', 'gridworker.mjs');
const demo = join(root, 'test-fixtures', 'configs', 'demo.yaml');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('gridworker validate (command line)', () => {
  it('accepts the demo config with --env for ${NAME} substitution', async () => {
    const r = await cli('validate', demo, '--env', 'RTSP_PORT=8554', '--env', 'CLOSED_PORT=1');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ok: 11 cameras \(4 key/);
  });

  it('exits 1 naming an unset variable with its key path', async () => {
    const r = await cli('validate', demo, '--env', 'RTSP_PORT=8554');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cameras.10.url: environment variable CLOSED_PORT is not set');
  });
});
