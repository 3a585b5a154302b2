import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { T0, confirmedAt, makeCase, rejectedAt } from '../../pipeline/accuracy/case-fixture.ts';
import type { ExportSummary } from '../../pipeline/accuracy/export-summary.ts';
import type { EventBox } from '../../pipeline/events/event-model.ts';
import type { CaseRecord } from '../../pipeline/cases/case-model.ts';
import type { BenchReport } from '../bench/bench-types.ts';
import { runGridworker } from '../../test-fixtures/lib/run-cli.ts';

const root = join(import.meta.dirname, '..', '..');
const COCO = join(root, 'test-fixtures', 'coco');
const MODEL = 'fastestdet-352-coco';
const dir = mkdtempSync(join(tmpdir(), 'gw-export-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runGridworker;

/** The fixture's YOLO labels as the boxes of a case: COCO-80 names, [x1, y1, x2, y2] 0-1. */
function boxesOf(image: string, names: readonly string[]): EventBox[] {
  const text = readFileSync(join(COCO, 'labels', `${basename(image, '.jpg')}.txt`), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number) as [number, number, number, number, number])
    .map(([cls, cx, cy, w, h]) => ({ label: names[cls]!, score: 0.9, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] as const }));
}

// Evidence: the real COCO pictures under <evidence>/<camera>/, as the case store keeps frames.
// Four confirmed cases and one not-a-violation (objects real), one false detection (a negative),
// one duplicate (left out) and one whose frame is gone.
const names = readFileSync(join(COCO, 'coco80.names'), 'utf8').trim().split('\n');
const pictures = readdirSync(join(COCO, 'images')).filter((f) => f.endsWith('.jpg')).sort().slice(0, 7);
const evidence = join(dir, 'evidence');
mkdirSync(join(evidence, 'cam-1'), { recursive: true });
const cases: CaseRecord[] = pictures.map((file, i) => {
  copyFileSync(join(COCO, 'images', file), join(evidence, 'cam-1', file));
  const verdict = i === 4 ? rejectedAt(T0, 'not_a_violation') : i === 5 ? rejectedAt(T0, 'false_detection') : i === 6 ? rejectedAt(T0, 'duplicate') : confirmedAt(T0);
  return makeCase(`case-${i}`, { cameraId: 'cam-1', boxes: boxesOf(file, names), verdict, evidence: { first: `cam-1/${file}`, latest: `cam-1/${file}`, best: `cam-1/${file}` } });
});
cases.push(makeCase('case-gone', { verdict: confirmedAt(T0), evidence: { first: 'x.jpg', latest: 'x.jpg', best: 'cam-1/gone.jpg' } }));
const casesFile = join(dir, 'cases.json');
writeFileSync(casesFile, JSON.stringify(cases));
const expectedBoxes = cases.slice(0, 5).reduce((n, c) => n + c.boxes.length, 0);

describe.each(['yolo', 'coco'] as const)('export-verified --format %s, then bench on it', (format) => {
  it('exports real frames that `gridworker bench` scores a model on', async () => {
    const out = join(dir, `out-${format}`);
    const exported = await cli('export-verified', '--cases', casesFile, '--evidence-dir', evidence, '--out', out, '--format', format, '--include-rejected-as-negatives', '--json');
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const summary = JSON.parse(exported.stdout) as ExportSummary;
    expect(summary).toMatchObject({ format, images: 6, positives: 5, negatives: 1, annotations: expectedBoxes, drawnFrames: 6 });
    expect(summary.skipped.map((s) => s.caseId).sort()).toEqual(['case-6', 'case-gone']);

    const bench = await cli('bench', '--data', summary.benchData, '--model', MODEL, '--json');
    expect(bench.code, bench.stderr).toBe(0);
    const report = JSON.parse(bench.stdout) as BenchReport;
    expect(report.dataset).toMatchObject({ format, images: 6, annotations: expectedBoxes, skippedImages: 0, skippedLabelLines: 0 });
    const acc = report.models[0]!.accuracy!;
    expect(acc.stats[1]).toBeGreaterThan(0.05); // AP50: the model finds the labelled objects.
  });
});

it('explains a missing evidence folder', async () => {
  const r = await cli('export-verified', '--cases', casesFile, '--out', join(dir, 'nowhere'));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('--evidence-dir');
});
