import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { AccuracyReport } from '../../pipeline/accuracy/accuracy-types.ts';
import { DAY, T0, confirmedAt, makeCase, rejectedAt } from '../../pipeline/accuracy/case-fixture.ts';
import type { StoreLocation } from '../../pipeline/accuracy/store-cases.ts';
import { main } from '../cli.ts';
import { formatDuration, runAccuracy } from './accuracy.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-accuracy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

// cam-A: 5 of 5 confirmed (05-01). cam-B: 1 of 6 (05-02), five false detections at confidence 0.5.
// Overall 6 / 11 = 54.5 %. cam-B: peers 5/5 = 1.0, Wilson 1/6 upper end 0.564 < 1.0: an outlier.
const cases = [
  ...Array.from({ length: 5 }, (_, i) => makeCase(`a${i}`, { confidence: 0.9, verdict: confirmedAt(T0 + 60_000) })),
  makeCase('b0', { cameraId: 'cam-B', confidence: 0.8, openedAt: T0 + DAY, verdict: confirmedAt(T0 + DAY + 120_000) }),
  ...Array.from({ length: 5 }, (_, i) =>
    makeCase(`b${i + 1}`, { cameraId: 'cam-B', confidence: 0.5, openedAt: T0 + DAY, verdict: rejectedAt(T0 + DAY + 120_000, 'false_detection') }),
  ),
  makeCase('open', { openedAt: T0 + DAY }),
];
const file = join(dir, 'cases.json');
writeFileSync(file, JSON.stringify(cases));

/** Runs the CLI in process; returns the exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  process.exitCode = undefined;
  try {
    return { code: await main(['node', 'gridworker', ...args]), out, err };
  } finally {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  }
}

describe('gridworker accuracy --cases', () => {
  it('prints a readable report: overall verdict, tables, thresholds and outliers', async () => {
    const r = await cli('accuracy', '--cases', file, '--timezone', 'Asia/Shanghai');
    expect(r.code).toBe(0);
    expect(r.out).toContain('11 verified of 12 cases, 1 awaiting a verdict');
    expect(r.out).toMatch(/Overall precision 54\.5 % \(95 % interval \d+\.\d-\d+\.\d %\): BELOW the 80\.0 % target/);
    expect(r.out).toMatch(/cam-A\s+5\s+5\s+100\.0 %\s+56\.6-100\.0 %\s+meets, uncertain/);
    expect(r.out).toMatch(/2024-05-02\s+6\s+1\s+16\.7 %/);
    // illegal_parking cuts: 0.9 -> 5/5, 0.8 -> 6/6, 0.5 -> 6/11: threshold 0.8, nothing lost.
    expect(r.out).toMatch(/illegal_parking\s+11\s+54\.5 %\s+0\.800\s+100\.0 % of 6\s+0 \(0\.0 %\)/);
    expect(r.out).toMatch(/Cameras far below their peers[^\n]*\n[^\n]*\n[^\n]*\ncam-B\s+6\s+16\.7 %/);
  });

  it('prints the report object with --json, honouring --target and --since', async () => {
    const r = await cli('accuracy', '--cases', file, '--timezone', 'Asia/Shanghai', '--json', '--target', '0.5', '--since', '2024-05-02');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as AccuracyReport;
    expect(report).toMatchObject({ targetPrecision: 0.5, since: Date.UTC(2024, 4, 1, 16), cases: 7, verified: 6, timezone: 'Asia/Shanghai' });
    expect(report.byCamera.map((g) => g.key)).toEqual(['cam-B']);
  });

  it('exits 1 naming the problem for a bad file, option or date', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ ...cases[0], verdict: { verdict: 'maybe', by: 'w', at: 1 } }]));
    const badFile = await cli('accuracy', '--cases', bad);
    expect(badFile.code).toBe(1);
    expect(badFile.err).toMatch(/is not a list of cases:\n {2}\[0\]\.verdict\.verdict: /);
    expect((await cli('accuracy', '--cases', join(dir, 'missing.json'))).err).toContain('cannot read cases file');
    const target = await cli('accuracy', '--cases', file, '--target', '2');
    expect(target.code).toBe(1);
    expect(target.err).toContain('--target must be a number from 0 to 1');
    const since = await cli('accuracy', '--cases', file, '--since', 'yesterday');
    expect(since).toMatchObject({ code: 1, err: expect.stringContaining('--since: expected a date YYYY-MM-DD') });
  });

  it('reads the case store through the loader when no file is given', async () => {
    const plain = await cli('accuracy', '--database-url', 'postgres://gw:pw@127.0.0.1:1/nowhere');
    expect(plain.code).toBe(1);
    expect(plain.err).toContain('cannot read cases from the record: PostgreSQL at 127.0.0.1:1/nowhere is unreachable');
    expect(plain.err).not.toContain('pw@');
    const seen: StoreLocation[] = [];
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    const code = await runAccuracy({ target: 0.8, databaseUrl: 'postgres://10.0.0.9:5432/district7', json: true, timezone: 'UTC' }, async (where) => {
      seen.push(where);
      return cases;
    });
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(seen).toEqual([{ url: 'postgres://10.0.0.9:5432/district7' }]);
    expect((JSON.parse(out) as AccuracyReport).verified).toBe(11);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '-'],
    [45_000, '45 s'],
    [12.5 * 60_000, '12.5 min'],
    [3.2 * 3_600_000, '3.2 h'],
    [1.5 * 86_400_000 * 2, '3.0 d'],
  ])('%s ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
