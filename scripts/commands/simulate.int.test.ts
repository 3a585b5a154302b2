import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../../pipeline/patrol/simulation/simulate-patrol.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'scripts', 'gridworker.mjs');
const run = (...args: string[]) => promisify(execFile)(process.execPath, [bin, 'simulate', ...args], { cwd: root });

describe('gridworker simulate (command line)', () => {
  it('prints the JSON document', async () => {
    const { stdout, stderr } = await run('--cameras', '200', '--workers', '3', '--hours', '0.5', '--json');
    expect(stderr).toBe('');
    const r = JSON.parse(stdout) as SimulationReport;
    expect(r).toMatchObject({ cameras: 200, workers: 3, simulatedS: 1800 });
    expect(r.perPriority.map((p) => [p.priority, p.cameras, p.targetS])).toEqual([
      ['key', 20, 120],
      ['normal', 180, 900],
    ]);
  });

  it('prints a table, and rejects a missing --workers', async () => {
    const { stdout } = await run('--cameras', '100', '--workers', '2', '--hours', '0.5', '--key-target', '60');
    expect(stdout).toMatch(/^100 cameras, 2 workers \(4 slots\)/);
    expect(stdout).toMatch(/\nkey +10 +60 /);
    expect(stdout).toMatch(/scheduler decision cost: median [\d.]+ us, p99 [\d.]+ us/);
    await expect(run('--cameras', '100')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("required option '--workers <n>'") });
  });
});
