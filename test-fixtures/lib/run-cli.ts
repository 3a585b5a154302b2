import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The project root and the `gridworker` entry point, for tests that run the real command. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
export const GRIDWORKER_BIN = join(PROJECT_ROOT, 'scripts', 'gridworker.mjs');

/** What a finished `gridworker` run printed and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gridworker <args>` in a child Node process from the project root; never rejects on a non-zero exit. */
export async function runGridworker(...args: string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [GRIDWORKER_BIN, ...args], { cwd: PROJECT_ROOT, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
