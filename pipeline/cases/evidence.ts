import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { type AnnotateOptions, annotateJpeg } from '../../models/annotate.ts';
import type { Detection } from '../../models/detections.ts';
import type { EventBox } from '../events/event-model.ts';
import { evidencePathFor } from './evidence-path.ts';

/** A zone to outline on evidence: its name and polygon in 0-1 frame coordinates. */
export interface EvidenceZone {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A stable colour slot for a label (the detector's class ids are not on an EventBox). */
function labelSlot(label: string): number {
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
  return h;
}

/** How an evidence picture is encoded (see AnnotateOptions): quality 85, Huffman tables not optimised. */
export type EvidenceEncoding = Pick<AnnotateOptions, 'quality' | 'optimiseCoding'>;

/**
 * Draws the event's boxes (0-1 coordinates, scaled to the frame) and its zone onto a full-resolution
 * JPEG and returns the new JPEG. The frame is decoded to raw RGB once and encoded once; at 1080p
 * the decode and the encode are nearly all of the time (the drawing is under 1 ms).
 */
export async function renderEvidence(jpeg: Buffer, boxes: readonly EventBox[], zone?: EvidenceZone, encoding: EvidenceEncoding = {}): Promise<Buffer> {
  const { data, info } = await sharp(jpeg).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const detections: Detection[] = boxes.map((b) => ({
    label: b.label,
    classId: labelSlot(b.label),
    score: b.score,
    box: [b.box[0] * width, b.box[1] * height, b.box[2] * width, b.box[3] * height],
  }));
  const polygons = zone ? [{ label: zone.name, points: zone.points.map(([x, y]) => [x, y] as [number, number]) }] : [];
  return annotateJpeg({ width, height, data }, detections, { ...encoding, polygons, inPlace: true });
}

/**
 * Stores a JPEG under the evidence folder as `<yyyy-mm-dd>/<sha256>.jpg` and returns that relative
 * path. The name is the content's hash, so storing the same bytes again is a no-op and a stored
 * file never changes. Written to a temporary file, then hard-linked into place (a link fails
 * instead of replacing when the name exists, so concurrent writers of one content are safe).
 *
 * Not fsynced by default (`durable`): an fsync per picture cost more than the rendering on a busy
 * disk, and a file cut short by a power loss (the kernel writes back within seconds) is caught
 * here: a stored file whose size differs from the content is written again and renamed over.
 */
export async function writeEvidence(dir: string, content: Buffer, at: number, options: { durable?: boolean } = {}): Promise<string> {
  const rel = evidencePathFor(createHash('sha256').update(content).digest('hex'), at);
  const file = join(dir, rel);
  const existing = await stat(file).catch(() => null);
  if (existing?.size === content.length) return rel;
  await mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(tmp, 'wx', 0o640);
    try {
      await fh.writeFile(content);
      if (options.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    if (existing) await rename(tmp, file);
    else {
      await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    }
  } finally {
    await rm(tmp, { force: true });
  }
  return rel;
}
