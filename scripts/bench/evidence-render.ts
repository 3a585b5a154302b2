/**
 * Evidence rendering benchmark (not a test): a new case's evidence picture at 1080p and 640 px,
 * boxes and a zone drawn on the frame's JPEG, against the previous way (boxes in the raw buffer,
 * label tags and the zone composited as SVG overlays), interleaved in one run. Also the
 * evidence write with and without an fsync per file. Prints a table and writes JSON.
 * The raw-buffer renderer runs with its default encoding and, for comparison in the same run,
 * with optimised Huffman tables (sharp's default, the setting before) and at quality 80.
 * `--sharp-concurrency` sets libvips' threads per image (sharp's default here is 1: glibc
 * without jemalloc).
 *
 *   npx tsx scripts/bench/evidence-render.ts [--runs 30] [--sharp-concurrency 2] [--out bench-results/evidence-render.json]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import sharp, { type OverlayOptions } from 'sharp';
import { classColour } from '../../models/annotate.ts';
import { renderEvidence, writeEvidence } from '../../pipeline/cases/evidence.ts';
import type { EventBox } from '../../pipeline/events/event-model.ts';
import { cocoImage } from '../../test-fixtures/lib/rtsp-streams.ts';
import { numberIn } from '../commands/model-options.ts';
import { formatTable, median, quantile } from './stats.ts';

const root = join(import.meta.dirname, '..', '..');
const program = new Command('evidence-render')
  .option('--runs <n>', 'renders per size and way', numberIn(5, 1000, '--runs'), 30)
  .option('--sharp-concurrency <n>', "libvips threads per image (sharp.concurrency); default sharp's", numberIn(1, 64, '--sharp-concurrency'))
  .option('--out <file>', 'JSON output', join(root, 'bench-results', 'evidence-render.json'))
  .parse();
const opts = program.opts<{ runs: number; sharpConcurrency?: number; out: string }>();
if (opts.sharpConcurrency !== undefined) sharp.concurrency(opts.sharpConcurrency);

const boxes: EventBox[] = [
  { label: 'car', score: 0.87, box: [0.08, 0.45, 0.3, 0.7] },
  { label: 'car', score: 0.71, box: [0.35, 0.5, 0.52, 0.72] },
  { label: 'truck', score: 0.64, box: [0.6, 0.3, 0.95, 0.8] },
];
const zone = { name: 'no parking', points: [[0.05, 0.55], [0.95, 0.55], [0.95, 0.98], [0.05, 0.98]] as [number, number][] };

/** The previous renderer: boxes drawn into the buffer, tags and the zone composited as SVG. */
async function previous(jpeg: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width: w, height: h } = info;
  const t = Math.max(2, Math.round(Math.min(w, h) / 300));
  const font = Math.max(12, Math.round(Math.min(w, h) / 40));
  const out = Uint8Array.from(data);
  const fill = (x1: number, y1: number, x2: number, y2: number, c: readonly number[]): void => {
    for (let y = Math.max(0, Math.floor(y1)); y < Math.min(h, Math.ceil(y2)); y++) {
      for (let x = Math.max(0, Math.floor(x1)); x < Math.min(w, Math.ceil(x2)); x++) out.set(c, (y * w + x) * 3);
    }
  };
  const tags: OverlayOptions[] = [];
  for (const b of boxes) {
    const [x1, y1, x2, y2] = [b.box[0] * w, b.box[1] * h, b.box[2] * w, b.box[3] * h];
    const c = classColour(b.label.length);
    fill(x1, y1, x2, y1 + t, c);
    fill(x1, y2 - t, x2, y2, c);
    fill(x1, y1, x1 + t, y2, c);
    fill(x2 - t, y1, x2, y2, c);
    const text = `${b.label} ${b.score.toFixed(2)}`;
    const tw = Math.ceil(text.length * font * 0.6) + 8;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${tw}" height="${font + 6}"><rect width="100%" height="100%" fill="rgb(${c.join(',')})"/><text x="4" y="${font}" font-family="sans-serif" font-size="${font}">${text}</text></svg>`;
    tags.push({ input: Buffer.from(svg), left: Math.round(x1), top: Math.max(0, Math.round(y1) - font - 6) });
  }
  const pts = zone.points.map(([x, y]) => `${x * w},${y * h}`).join(' ');
  tags.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><polygon points="${pts}" fill="none" stroke="yellow" stroke-width="${t}" stroke-dasharray="${4 * t},${2 * t}"/><text x="${zone.points[0]![0] * w + 4}" y="${zone.points[0]![1] * h + font}" font-family="sans-serif" font-size="${font}" fill="yellow">${zone.name}</text></svg>`), left: 0, top: 0 });
  return sharp(out, { raw: { width: w, height: h, channels: 3 } }).composite(tags).jpeg({ quality: 85 }).toBuffer();
}

const time = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

const dir = await mkdtemp(join(tmpdir(), 'gw-evidence-bench-'));
try {
  const load0 = loadavg()[0]!;
  const rows: { size: string; way: string; medianMs: number; p90Ms: number }[] = [];
  for (const [size, w, h] of [['1920x1080', 1920, 1080], ['640x360', 640, 360]] as const) {
    const frame = await sharp(cocoImage('000000000641')).resize(w, h, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
    await previous(frame);
    await renderEvidence(frame, boxes, zone); // glyphs are rendered once per process
    const ways: [string, () => Promise<unknown>][] = [
      ['previous (SVG composite)', () => previous(frame)],
      ['raw buffer, optimised Huffman (before)', () => renderEvidence(frame, boxes, zone, { optimiseCoding: true })],
      ['raw buffer, encode once', () => renderEvidence(frame, boxes, zone)],
      ['raw buffer, q80', () => renderEvidence(frame, boxes, zone, { quality: 80 })],
    ];
    const times: number[][] = ways.map(() => []);
    for (let i = 0; i < opts.runs; i++) for (const [k, [, f]] of ways.entries()) times[k]!.push(await time(f));
    for (const [k, [way]] of ways.entries()) rows.push({ size, way, medianMs: median(times[k]!), p90Ms: quantile(times[k]!, 0.9) });
    if (w === 1920) {
      const jpeg = await renderEvidence(frame, boxes, zone);
      const synced: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < opts.runs; i++) {
        // A different content each time: a write that finds its file stored is a no-op.
        const a = Buffer.concat([jpeg, Buffer.from(`a${i}`)]);
        const b = Buffer.concat([jpeg, Buffer.from(`b${i}`)]);
        synced.push(await time(() => writeEvidence(dir, a, Date.now(), { durable: true })));
        plain.push(await time(() => writeEvidence(dir, b, Date.now())));
      }
      rows.push({ size, way: 'write with fsync', medianMs: median(synced), p90Ms: quantile(synced, 0.9) });
      rows.push({ size, way: 'write without fsync', medianMs: median(plain), p90Ms: quantile(plain, 0.9) });
    }
  }
  const fmt = (v: number): string => v.toFixed(1);
  const way = (size: string, name: string): number => rows.find((r) => r.size === size && r.way === name)!.medianMs;
  const ratio = (size: string): number => way(size, 'previous (SVG composite)') / way(size, 'raw buffer, encode once');
  const huffman = (size: string): number => way(size, 'raw buffer, optimised Huffman (before)') / way(size, 'raw buffer, encode once');
  process.stdout.write(
    `${formatTable(['size', 'way', 'median ms', 'p90 ms'], rows.map((r) => [r.size, r.way, fmt(r.medianMs), fmt(r.p90Ms)]))}\n` +
      `previous / raw buffer: 1080p ${ratio('1920x1080').toFixed(2)}x, 640 px ${ratio('640x360').toFixed(2)}x; optimised Huffman / default: 1080p ${huffman('1920x1080').toFixed(2)}x, 640 px ${huffman('640x360').toFixed(2)}x\n` +
      `(3 boxes and a zone, ${opts.runs} runs each, interleaved; sharp.concurrency ${sharp.concurrency()}; load ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)})\n`,
  );
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify({ runs: opts.runs, sharpConcurrency: sharp.concurrency(), rows, previousOverRaw1080: Number(ratio('1920x1080').toFixed(3)), optimisedHuffmanOverDefault1080: Number(huffman('1920x1080').toFixed(3)) }, null, 2)}\n`);
  process.stdout.write(`wrote ${opts.out}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
