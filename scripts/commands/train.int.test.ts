import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { T0, confirmedAt, makeCase, rejectedAt } from '../../pipeline/accuracy/case-fixture.ts';
import type { ExportSummary } from '../../pipeline/accuracy/export-summary.ts';
import type { CaseRecord } from '../../pipeline/cases/case-model.ts';
import type { EventBox } from '../../pipeline/events/event-model.ts';
import { loadModelCard } from '../../models/model-card.ts';
import { runGridworker as cli } from '../../test-fixtures/lib/run-cli.ts';

const DATA = join(import.meta.dirname, '..', '..', 'test-fixtures', 'datasets', 'garbage-mini');
const NAMES = ['garbage', 'garbage_bin', 'overflow'];
const dir = mkdtempSync(join(tmpdir(), 'gw-train-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fixture photo's YOLO labels as a case's boxes ([x1, y1, x2, y2] 0-1, detector labels). */
function boxesOf(labelFile: string): EventBox[] {
  return readFileSync(labelFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number, number, number, number])
    .map(([cls, cx, cy, w, h]) => ({ label: NAMES[cls]!, score: 0.8, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] as const }));
}

describe('from verdicts to training', () => {
  it('export-verified output (confirmed cases with boxes, false detections as empty images) trains a model that detect loads', async () => {
    // Grid workers' verdicts on eight street photos: six confirmed (their boxes are the truth),
    // two rejected as false detections (hard negatives: images with empty label files).
    const evidence = join(dir, 'evidence');
    mkdirSync(join(evidence, 'cam-9'), { recursive: true });
    const photos = readdirSync(join(DATA, 'images', 'train')).sort();
    const cases: CaseRecord[] = photos.map((file, i) => {
      copyFileSync(join(DATA, 'images', 'train', file), join(evidence, 'cam-9', file));
      const rejected = i >= 6;
      return makeCase(`case-${i}`, {
        eventType: 'overflowing_bin',
        cameraId: 'cam-9',
        boxes: boxesOf(join(DATA, 'labels', 'train', `${basename(file, '.jpg')}.txt`)),
        verdict: rejected ? rejectedAt(T0, 'false_detection') : confirmedAt(T0),
        evidence: { first: `cam-9/${file}`, latest: `cam-9/${file}`, best: `cam-9/${file}` },
      });
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    const exported = await cli('export-verified', '--cases', join(dir, 'cases.json'), '--evidence-dir', evidence, '--out', join(dir, 'export'), '--format', 'yolo', '--include-rejected-as-negatives', '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout) as ExportSummary;
    expect(summary).toMatchObject({ images: 8, positives: 6, negatives: 2 });

    const out = join(dir, 'verdict-model');
    const trained = await cli('train', '--data', summary.benchData, '--base', 'picodet-s-416-coco', '--out', out, '--id', 'verdict-model', '--epochs', '3', '--seed', '3');
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/epoch 3\/3 {2}loss \d/);
    expect(trained.stdout).toMatch(/trained verdict-model on 8 images in \d+ s, peak RSS [1-9]\d* MiB/);
    const card = await loadModelCard(join(out, 'verdict_model.json'));
    expect(card.training).toMatchObject({ images: 8, epochs: 3, seed: 3, base: { id: 'picodet-s-416-coco' } });
    expect([...card.labels].sort()).toEqual([...new Set(cases.slice(0, 6).flatMap((c) => c.boxes.map((b) => b.label)))].sort());

    const detected = await cli('detect', join(DATA, 'images', 'val', 'val_0290.jpg'), '--model', join(out, 'verdict_model.json'), '--conf', '0.05', '--json');
    expect(detected.code, detected.stderr).toBe(0);
    const [result] = JSON.parse(detected.stdout) as [{ model: string; detections: { label: string }[] }];
    expect(result.model).toContain('verdict-model');
    expect(result.detections.every((d) => card.labels.includes(d.label))).toBe(true);
  });

  it('says what is wrong with the data, base or checkpoint, with exit code 2', async () => {
    const noData = await cli('train', '--data', join(dir, 'nowhere'), '--base', 'picodet-s-416-coco', '--out', join(dir, 'x'));
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/gridworker train: .*nowhere/);
    const badBase = await cli('train', '--data', DATA, '--base', 'fastestdet-352-coco', '--out', join(dir, 'y'), '--epochs', '1');
    expect(badBase.code).toBe(2);
    expect(badBase.stderr).toContain('needs a GFL (PicoDet) head');
    const badSmoke = await cli('train', '--data', DATA, '--base', 'picodet-s-416-coco', '--out', join(dir, 'z'), '--epochs', '1', '--synthetic-smoke', 'steam');
    expect(badSmoke.code).toBe(2);
    expect(badSmoke.stderr).toMatch(/gridworker train: synthetic smoke class "steam" is not one of the dataset's classes/);
  });
});
