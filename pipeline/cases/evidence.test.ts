import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { isEvidencePath, resolveEvidencePath } from './evidence-path.ts';
import { renderEvidence, writeEvidence } from './evidence.ts';

const W = 640;
const H = 360;
const grey = (): Promise<Buffer> => sharp({ create: { width: W, height: H, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg({ quality: 90 }).toBuffer();
const decoded = new Map<Buffer, Buffer>();
const rgbAt = async (jpeg: Buffer, x: number, y: number): Promise<number[]> => {
  let data = decoded.get(jpeg);
  if (!data) decoded.set(jpeg, (data = await sharp(jpeg).raw().toBuffer()));
  const i = (y * W + x) * 3;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
};

describe('evidence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-evidence-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws the boxes (0-1, scaled to the frame) and the zone on a full-resolution JPEG', async () => {
    const frame = await grey();
    const zone = { name: 'road', points: [[0.5, 0.5], [0.95, 0.5], [0.95, 0.95], [0.5, 0.95]] as [number, number][] };
    const out = await renderEvidence(frame, [{ label: 'car', score: 0.9, box: [0.1, 0.2, 0.3, 0.6] }], zone);
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: W, height: H });
    // Box outline: left edge at x = 0.1 * 640 = 64, y in 72-216; zone outline: top edge at y = 180 from x 320.
    const box = await rgbAt(out, 65, 150);
    expect(Math.max(...box.map((v) => Math.abs(v - 90)))).toBeGreaterThan(60);
    // The zone's dashed yellow top edge: many yellowish pixels along y = 180 from x = 320 to 608.
    let yellow = 0;
    for (let x = 324; x < 600; x++) {
      const [r, g, b] = await rgbAt(out, x, 180);
      if (r! > 150 && g! > 150 && b! < 130) yellow++;
    }
    expect(yellow).toBeGreaterThan(100);
    const untouched = await rgbAt(out, 200, 300);
    expect(untouched.every((v) => Math.abs(v - 90) < 12)).toBe(true);
  });

  it('stores by content hash under the UTC day; the same content twice is one file', async () => {
    const jpeg = await renderEvidence(await grey(), [{ label: 'car', score: 0.5, box: [0.2, 0.2, 0.4, 0.4] }]);
    const at = Date.UTC(2024, 2, 5, 23, 59);
    const rel = await writeEvidence(dir, jpeg, at);
    expect(rel).toBe(`2024-03-05/${createHash('sha256').update(jpeg).digest('hex')}.jpg`);
    expect(isEvidencePath(rel)).toBe(true);
    expect(await writeEvidence(dir, jpeg, at)).toBe(rel);
    await Promise.all([1, 2, 3].map(() => writeEvidence(dir, jpeg, at)));
    expect(readdirSync(join(dir, '2024-03-05'))).toEqual([rel.split('/')[1]]);
    expect(readFileSync(resolveEvidencePath(dir, rel)!)).toEqual(jpeg);
  });

  it('writes a stored file again when its size does not match (cut short by a crash)', async () => {
    const jpeg = await renderEvidence(await grey(), [{ label: 'bus', score: 0.7, box: [0.1, 0.1, 0.5, 0.5] }]);
    const at = Date.UTC(2024, 2, 6);
    const rel = await writeEvidence(dir, jpeg, at);
    writeFileSync(join(dir, rel), jpeg.subarray(0, 10));
    expect(await writeEvidence(dir, jpeg, at)).toBe(rel);
    expect(readFileSync(join(dir, rel))).toEqual(jpeg);
  });

  it('writes the label text into the tag above the box', async () => {
    const out = await renderEvidence(await grey(), [{ label: 'car', score: 0.9, box: [0.3, 0.5, 0.6, 0.9] }]);
    // The tag sits above the box's top edge (y = 180): its text pixels are dark on the class colour.
    const colours = new Set<string>();
    for (let x = 196; x < 280; x += 2) for (let y = 160; y < 178; y += 2) colours.add((await rgbAt(out, x, y)).map((v) => Math.round(v / 64)).join(','));
    expect(colours.size).toBeGreaterThan(2);
  });

  it.each(['../etc/passwd', '2024-03-05/../../x.jpg', `2024-03-05/${'A'.repeat(64)}.jpg`, `/2024-03-05/${'a'.repeat(64)}.jpg`, `2024-03-05\\${'a'.repeat(64)}.jpg`, ''])(
    'refuses the path %j',
    (rel) => {
      expect(resolveEvidencePath(dir, rel)).toBeUndefined();
    },
  );
});
