import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ClassMappingError } from '../../models/evaluation/dataset-errors.ts';
import { formatWarning } from '../../models/evaluation/dataset-types.ts';
import type { BenchReport } from '../bench/bench-types.ts';
import { type BenchOptions, runBench } from '../bench/run-bench.ts';
import { writeReport } from '../bench/write-report.ts';
import { runGridworker } from '../../test-fixtures/lib/run-cli.ts';

const root = join(import.meta.dirname, '..', '..');
const MINI = join(root, 'test-fixtures', 'datasets', 'yolo-mini');
const FIRE = join(root, 'test-fixtures', 'datasets', 'fire-mini');
const MODEL = 'fastestdet-352-coco';
const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// COCO-80 names with "person" renamed: the model then lacks one dataset class.
const RENAMED = join(dir, 'renamed.names');
writeFileSync(RENAMED, readFileSync(join(MINI, 'coco80.names'), 'utf8').replace(/^person$/m, 'pedestrian'));

const options = (data: string, extra: Partial<BenchOptions> = {}): BenchOptions => ({
  data,
  models: [MODEL],
  modelDirs: [],
  threads: 1,
  conf: 0.001,
  nms: 0.45,
  maxDetections: 100,
  targetPrecision: 0.8,
  operatingIou: 0.5,
  ...extra,
});

const cli = runGridworker;

describe('bench on a small YOLO dataset', () => {
  it('measures accuracy and speed, reports the broken line and the corrupt image, and writes the reports', async () => {
    const report = await runBench(options(MINI));
    expect(report.dataset).toMatchObject({ format: 'yolo', imagesFound: 5, images: 4, annotations: 24, skippedImages: 1, skippedLabelLines: 1 });
    const warnings = report.dataset.warnings.map(formatWarning);
    expect(warnings).toContainEqual(expect.stringContaining(`${join(MINI, 'labels', 'val', '000000000073.txt')}:3: expected "class cx cy w h"`));
    expect(warnings).toContainEqual(expect.stringContaining(`${join(MINI, 'images', 'val', 'corrupt.jpg')}: unreadable image`));

    const [m] = report.models;
    expect(m!.id).toBe(MODEL);
    expect(m!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m!.sizeBytes).toBeGreaterThan(100_000);
    const acc = m!.accuracy!;
    expect(acc.stats).toHaveLength(12);
    for (const s of acc.stats) expect(s === -1 || (s >= 0 && s <= 1)).toBe(true);
    expect(acc.stats[0]).toBeGreaterThan(0.05);
    expect(acc.stats[1]).toBeGreaterThan(acc.stats[0]!);
    expect(acc.perClass.find((c) => c.name === 'bus')).toMatchObject({ gtCount: 1 });
    expect(acc.operatingPoint.threshold).toBe(0.3);
    expect(acc.operatingPoint.precision).toBeGreaterThan(0);
    expect(acc.curves.overall.iou50).toHaveLength(101);
    expect(m!.speed.images).toBe(4);
    expect(m!.speed.inferenceMs.median).toBeGreaterThan(0);
    expect(m!.speed.imagesPerSecond).toBeGreaterThan(0);
    expect(m!.speed.peakRssMiB).toBeGreaterThan(20);

    const out = join(dir, 'mini');
    const { written } = await writeReport(report, out);
    for (const f of ['report.json', 'report.md', 'report.html', `pr-${MODEL}.png`]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(written.charts).toEqual([join(out, `pr-${MODEL}.png`)]);
    expect((await sharp(join(out, `pr-${MODEL}.png`)).metadata()).format).toBe('png');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(`<img src="pr-${MODEL}.png"`);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BenchReport;
    expect(json.models[0]!.charts).toEqual([`pr-${MODEL}.png`]);
  });

  it('gives identical detections and accuracy with --threads 2 (files decoded in the detector processes) as with 1, and records an image that will not decode as failed in both', async () => {
    // The mini set plus a JPEG cut in half: its header reads (the dataset keeps it), its decoding fails.
    const data = join(dir, 'threads');
    cpSync(MINI, data, { recursive: true });
    rmSync(join(data, 'images', 'val', 'corrupt.jpg'));
    const whole = readFileSync(join(MINI, 'images', 'val', '000000000009.jpg'));
    const truncated = join(data, 'images', 'val', 'truncated.jpg');
    writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
    cpSync(join(MINI, 'labels', 'val', '000000000009.txt'), join(data, 'labels', 'val', 'truncated.txt'));

    const [one, two] = [await runBench(options(data)), await runBench(options(data, { threads: 2 }))];
    const [a, b] = [one.models[0]!, two.models[0]!];
    expect(one.dataset.images).toBe(5);
    expect(a.failedImages).toHaveLength(1);
    expect(a.failedImages[0]!.file).toBe(truncated);
    expect(a.failedImages[0]!.problem).toMatch(/truncated or corrupt.*left out of this model's evaluation/);
    // The same image fails in both; the decoder's wording may not be the same (libvips sometimes
    // reports only its generic "warning treated as error" line, depending on thread timing).
    expect(b.failedImages.map((f) => f.file)).toEqual([truncated]);
    expect(b.failedImages[0]!.problem).toMatch(/truncated or corrupt.*left out of this model's evaluation/);
    expect(b.speed.images).toBe(4);
    expect(a.speed.images).toBe(4);
    expect(b.accuracy).toEqual(a.accuracy);
    expect(a.accuracy!.stats[0]).toBeGreaterThan(0.05);
    expect(b.speed.decodeMs.median).toBeGreaterThan(0);
  });

  it('says clearly that COCO models have no fire or smoke classes, and still measures speed', async () => {
    const report = await runBench(options(FIRE));
    const [m] = report.models;
    expect(m!.accuracy).toBeNull();
    expect(m!.notice).toBe(`model ${MODEL} has no classes for this dataset's fire, smoke: accuracy not measured (speed only)`);
    expect(m!.classMapping.status).toBe('none');
    expect(m!.speed.images).toBe(3);
  });

  it('refuses a partial class mismatch unless a class map or --allow-partial is given', async () => {
    const base = options(MINI, { names: RENAMED, limit: 1 });
    await expect(runBench(base)).rejects.toThrow(ClassMappingError);
    await expect(runBench(base)).rejects.toThrow(`model ${MODEL} has no class for the dataset's pedestrian`);
    writeFileSync(join(dir, 'map.json'), '{"pedestrian": "person"}');
    const mapped = await runBench({ ...base, classMap: join(dir, 'map.json') });
    expect(mapped.models[0]!.classMapping.status).toBe('full');
    const partial = await runBench({ ...base, allowPartial: true });
    expect(partial.models[0]!.classMapping.unmapped).toEqual(['pedestrian']);
    expect(partial.models[0]!.accuracy!.perClass.some((c) => c.name === 'pedestrian')).toBe(false);
  });
});

describe('gridworker bench (CLI)', () => {
  it('prints report.json with --json, writes --out, and shows progress on stderr', async () => {
    const out = join(dir, 'cli');
    const r = await cli('bench', '--data', MINI, '--model', MODEL, '--out', out, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report.models[0]!.accuracy!.stats).toHaveLength(12);
    expect(r.stderr).toContain(`${MODEL}: 100% (4/4 images)`);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('prints the side-by-side table and the fire / smoke notice', async () => {
    const r = await cli('bench', '--data', FIRE, '--model', MODEL);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`NOTICE: model ${MODEL} has no classes for this dataset's fire, smoke: accuracy not measured`);
    expect(r.stdout).toMatch(/AP @\[\.50:\.95\] +not measured/);
    expect(r.stdout).toMatch(/inference ms \(median \/ p95\) +\d+\.\d \/ \d+\.\d/);
  });

  it('exits 2 with one line for a partial class mismatch or a missing dataset', async () => {
    const r = await cli('bench', '--data', MINI, '--names', RENAMED, '--model', MODEL);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--class-map');
    const missing = await cli('bench', '--data', join(dir, 'nope'), '--model', MODEL);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
  });
});
