import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportError } from './accuracy-errors.ts';
import { T0, confirmedAt, makeCase, rejectedAt } from './case-fixture.ts';
import type { ExportedCaseRow } from './export-cases-json.ts';
import { exportVerified } from './export-verified.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-export-'));
const evidence = join(dir, 'evidence');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  mkdirSync(join(evidence, 'raw'), { recursive: true });
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  for (const f of ['p1-best.jpg', 'p2-best.jpg', 'raw/p3.jpg', 'n1-best.jpg']) writeFileSync(join(evidence, f), jpeg);
  writeFileSync(join(evidence, 'broken-best.jpg'), 'not a jpeg');
});

const cases = [
  makeCase('p1', { verdict: confirmedAt(T0) }),
  makeCase('p2', { verdict: rejectedAt(T0, 'wrong_event_type', 'street_vending'), boxes: [{ label: 'person', score: 0.7, box: [0.5, 0.5, 1, 1] }] }),
  makeCase('p3', { verdict: confirmedAt(T0), evidence: { first: 'x', latest: 'x', best: 'missing.jpg', raw: 'raw/p3.jpg' } }),
  makeCase('n1', { verdict: rejectedAt(T0, 'false_detection') }),
  makeCase('gone', { verdict: confirmedAt(T0) }),
  makeCase('broken', { verdict: confirmedAt(T0) }),
  makeCase('escape', { verdict: confirmedAt(T0), evidence: { first: 'x', latest: 'x', best: '../outside.jpg' } }),
  makeCase('open'),
];

describe('exportVerified', () => {
  it('writes a YOLO folder, cases.json and a README that flags drawn frames', async () => {
    const out = join(dir, 'yolo');
    const s = await exportVerified(cases, { outDir: out, evidenceDir: evidence, includeRejectedAsNegatives: true, now: T0 });
    expect(s).toMatchObject({ format: 'yolo', verifiedCases: 7, images: 4, positives: 3, negatives: 1, annotations: 3, classes: ['car', 'person'], drawnFrames: 3, benchData: out });
    expect(s.skipped.map((k) => k.caseId).sort()).toEqual(['broken', 'escape', 'gone']);
    expect(s.skipped.find((k) => k.caseId === 'escape')!.reason).toContain('outside the evidence folder');
    expect(readdirSync(join(out, 'images')).sort()).toEqual(['n1.jpg', 'p1.jpg', 'p2.jpg', 'p3.jpg']);
    expect(readFileSync(join(out, 'labels', 'p2.txt'), 'utf8')).toBe('1 0.750000 0.750000 0.500000 0.500000\n');
    expect(readFileSync(join(out, 'labels', 'n1.txt'), 'utf8')).toBe('');
    expect(readFileSync(join(out, 'classes.names'), 'utf8')).toBe('car\nperson\n');
    const rows = JSON.parse(readFileSync(join(out, 'cases.json'), 'utf8')) as ExportedCaseRow[];
    expect(rows).toHaveLength(7);
    expect(rows.find((r) => r.caseId === 'p2')).toMatchObject({ aiType: 'illegal_parking', correctedType: 'street_vending', objects: 'real', image: 'images/p2.jpg', drawnFrame: true });
    expect(rows.find((r) => r.caseId === 'p3')).toMatchObject({ image: 'images/p3.jpg', drawnFrame: false });
    expect(rows.find((r) => r.caseId === 'gone')).toMatchObject({ image: null, skipped: expect.stringContaining('missing or unreadable') });
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain("3 of 4 images have the AI's boxes drawn on them");
  });

  it('writes COCO annotations in pixels', async () => {
    const out = join(dir, 'coco');
    const s = await exportVerified(cases.slice(0, 2), { outDir: out, evidenceDir: evidence, format: 'coco' });
    expect(s.benchData).toBe(join(out, 'annotations.json'));
    const gt = JSON.parse(readFileSync(join(out, 'annotations.json'), 'utf8')) as { images: unknown[]; annotations: { bbox: number[] }[] };
    expect(gt.images).toEqual([{ id: 1, file_name: 'p1.jpg', width: 64, height: 48 }, { id: 2, file_name: 'p2.jpg', width: 64, height: 48 }]);
    // car [0.1, 0.2, 0.5, 0.6] on 64 x 48: x 6.4, y 9.6, w 25.6, h 19.2.
    expect(gt.annotations[0]!.bbox.map((v) => Number(v.toFixed(4)))).toEqual([6.4, 9.6, 25.6, 19.2]);
  });

  it('refuses a non-empty output folder and an export with nothing in it', async () => {
    const used = join(dir, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'old.txt'), 'x');
    await expect(exportVerified(cases, { outDir: used, evidenceDir: evidence })).rejects.toThrow(/is not empty/);
    await expect(exportVerified(cases.slice(4), { outDir: join(dir, 'none'), evidenceDir: evidence })).rejects.toThrow(ExportError);
  });
});
