import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { DetectJson } from './detect.ts';
import { runGridworker } from '../../test-fixtures/lib/run-cli.ts';

const root = join(import.meta.dirname, '..', '..');
const img = (id: string): string => join(root, 'test-fixtures', 'coco', 'images', `${id}.jpg`);
const dir = mkdtempSync(join(tmpdir(), 'gw-detect-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runGridworker;

describe('gridworker detect', () => {
  it('prints the JSON document with the default PicoDet model, and nothing on stderr', async () => {
    const r = await cli('detect', img('000000000641'), img('000000000009'), '--json');
    expect(r.stderr).toBe(''); // onnxruntime's initializer warnings must not reach the user
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.stdout) as DetectJson[];
    expect(docs.map((d) => d.image)).toEqual([img('000000000641'), img('000000000009')]);
    const [bus, bowl] = docs as [DetectJson, DetectJson];
    expect(bus).toMatchObject({ width: 640, height: 428, model: 'picodet-s-416-coco' });
    expect(bus.detections.some((d) => d.label === 'bus' && d.score > 0.5)).toBe(true);
    expect(bowl.detections.some((d) => d.label === 'broccoli')).toBe(true);
    for (const d of [...bus.detections, ...bowl.detections]) {
      expect(Object.keys(d).sort()).toEqual(['box', 'classId', 'label', 'score']);
      expect(d.score).toBeGreaterThanOrEqual(0.35);
    }
    expect(Object.keys(bus.timingsMs).sort()).toEqual(['inference', 'postprocess', 'preprocess']);
  });

  it('honours --conf and --model, prints text, and writes annotated JPEGs with --out', async () => {
    const out = join(dir, 'annotated');
    const r = await cli('detect', img('000000000073'), '--model', 'fastestdet-352-coco', '--conf', '0.2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/000000000073\.jpg {2}\d+x\d+ {2}\d+ detections/);
    expect(r.stdout).toMatch(/motorcycle\s+0\.\d\d {2}\[\d+, \d+, \d+, \d+\]/);
    const meta = await sharp(join(out, '000000000073.det.jpg')).metadata();
    expect(meta.format).toBe('jpeg');
  });

  it('reports each bad image in one line and still processes the good ones', async () => {
    writeFileSync(join(dir, 'notes.jpg'), 'not an image');
    const r = await cli('detect', join(dir, 'missing.jpg'), img('000000000641'), join(dir, 'notes.jpg'), '--json');
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(join(dir, 'missing.jpg'));
    expect(lines[1]).toContain(join(dir, 'notes.jpg'));
    const docs = JSON.parse(r.stdout) as DetectJson[];
    expect(docs.map((d) => d.image)).toEqual([img('000000000641')]);
  });

  it('exits 2 with one line for an unknown model or an invalid --conf', async () => {
    const r = await cli('detect', img('000000000641'), '--model', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown model "nope"');
    const c = await cli('detect', img('000000000641'), '--conf', '7');
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('--conf must be a number from 0 to 1');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
