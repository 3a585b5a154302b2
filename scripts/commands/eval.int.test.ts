import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalJson } from './eval.ts';
import { runGridworker } from '../../test-fixtures/lib/run-cli.ts';

const root = join(import.meta.dirname, '..', '..');
const FIXTURE = join(root, 'test-fixtures', 'eval', 'val2014-100');

const cli = runGridworker;

describe('gridworker eval', () => {
  const gt = join(FIXTURE, 'ground_truth.json');
  const dt = join(FIXTURE, 'detections.json');

  it('--json agrees with pycocotools within 1e-9 on all twelve statistics', async () => {
    const r = await cli('eval', '--gt', gt, '--dt', dt, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as EvalJson;
    const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected_stats.json'), 'utf8')) as { stats: number[] };
    expect(doc.stats).toHaveLength(12);
    doc.stats.forEach((v, i) => expect(Math.abs(v - expected.stats[i]!), `stat ${i}`).toBeLessThanOrEqual(1e-9));
    expect(doc.perClass).toHaveLength(80);
    expect(Object.keys(doc.perClass[0]!).sort()).toEqual(['ap', 'ap50', 'categoryId', 'dtCount', 'gtCount', 'name']);
    expect(doc.perClass[0]).toMatchObject({ categoryId: 1, name: 'person' });
  });

  it('prints the summary as pycocotools does, then the per-class table', async () => {
    const r = await cli('eval', '--gt', gt, '--dt', dt);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505');
    expect(lines[11]).toMatch(/^ Average Recall {5}\(AR\) @\[ IoU=0\.50:0\.95 \| area= large \| maxDets=100 \] = 0\.\d{3}$/);
    expect(r.stdout).toMatch(/\n1 +person +0\.\d{3} +0\.\d{3} +\d+ +\d+\n/);
  });

  it('exits 2 with one line naming a file that cannot be read', async () => {
    const r = await cli('eval', '--gt', join(FIXTURE, 'nope.json'), '--dt', dt);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.json');
  });
});
