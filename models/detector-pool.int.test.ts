import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Detector } from './detector.ts';
import { DetectorPool } from './detector-pool.ts';
import { DetectorProcessError, ImageInputError, ModelDroppedError, ModelIntegrityError } from './errors.ts';
import { loadModelCard } from './model-card.ts';
import { resolveModel } from './model-catalog.ts';
import { loadImageFile } from './preprocess/image-file.ts';
import type { RgbFrame } from './preprocess/frame.ts';

const images = ['000000000009', '000000000025', '000000000073', '000000000641'].map((id) =>
  join(import.meta.dirname, '..', 'test-fixtures', 'coco', 'images', `${id}.jpg`),
);

describe('DetectorPool: the detector in child processes', () => {
  let pool: DetectorPool;
  let single: Detector;
  let frames: RgbFrame[];
  beforeAll(async () => {
    const card = await resolveModel('picodet-s-416-coco');
    [pool, single, frames] = await Promise.all([DetectorPool.load(card, { processes: 2 }), Detector.load(card), Promise.all(images.map(loadImageFile))]);
  });
  afterAll(async () => {
    await pool?.close();
    await single?.close();
  });

  it('finds exactly what the main-thread detector finds, with every frame in flight at once', async () => {
    expect(pool.size).toBe(2);
    expect(pool.concurrency).toBe(2);
    const want = [];
    for (const f of frames) want.push((await single.detect(f)).detections);
    // Twice each, all at once: more frames than threads, so some queue.
    const got = await Promise.all([...frames, ...frames].map((f) => pool.detect(f)));
    expect(got.map((r) => r.detections)).toEqual([...want, ...want]);
    expect(want.some((d) => d.items.length > 0)).toBe(true);
    for (const r of got) expect(r.timingsMs.inference).toBeGreaterThan(0);
  });

  it('detects image files decoded in its processes exactly as the main-thread detector does on frames decoded here', async () => {
    const options = { scoreThreshold: 0.001, nmsThreshold: 0.45, maxDetections: 100 };
    const want = [];
    for (const f of frames) want.push((await single.detect(f, options)).detections);
    const got = await Promise.all([...images, ...images].map((path) => pool.detectFile(path, options)));
    expect(got.map((r) => r.detections)).toEqual([...want, ...want]);
    for (const r of got) {
      expect(r.decodeMs).toBeGreaterThan(0);
      expect(r.timingsMs.inference).toBeGreaterThan(0);
    }
  });

  it('rejects an image file that will not decode with a typed error naming it, and keeps serving', async () => {
    const corrupt = join(import.meta.dirname, '..', 'test-fixtures', 'datasets', 'yolo-mini', 'images', 'val', 'corrupt.jpg');
    const missing = join(import.meta.dirname, 'no-such-image.jpg');
    const [bad, gone] = await Promise.all([pool.detectFile(corrupt).catch((e: unknown) => e), pool.detectFile(missing).catch((e: unknown) => e)]);
    expect(bad).toBeInstanceOf(ImageInputError);
    const here = await loadImageFile(corrupt).then(() => undefined, (e: unknown) => e as Error);
    expect((bad as Error).message).toBe(here?.message);
    expect((bad as Error).message).toContain(corrupt);
    expect(gone).toBeInstanceOf(ImageInputError);
    expect((gone as Error).message).toBe(`image file ${missing} does not exist`);
    expect(pool.size).toBe(2);
    expect((await pool.detectFile(images[0]!)).detections).toEqual((await single.detect(frames[0]!)).detections);
  });

  it('leaves the caller\'s frame untouched and passes per-call thresholds on', async () => {
    const frame = frames[3]!;
    const before = Buffer.from(frame.data);
    const strict = await pool.detect(frame, { scoreThreshold: 0.9 });
    const loose = await pool.detect(frame, { scoreThreshold: 0.2 });
    expect(Buffer.from(frame.data).equals(before)).toBe(true);
    expect(loose.detections.items.length).toBeGreaterThan(strict.detections.items.length);
  });

  it('rejects a malformed frame with a typed error naming the problem, and keeps serving', async () => {
    const err = await pool.detect({ width: 10, height: 10, data: new Uint8Array(7) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect((err as Error).message).toMatch(/needs 300 bytes/);
    expect((await pool.detect(frames[0]!)).detections.width).toBe(frames[0]!.width);
  });
});

describe('DetectorPool with several models: each process holds every model once, each frame names its model', () => {
  it('answers per model exactly as that model on the main thread does, and refuses an unknown model by name', async () => {
    const cards = await Promise.all(['picodet-s-416-coco', 'picodet-s-416-fire-smoke', 'fastestdet-352-coco'].map((id) => resolveModel(id)));
    const [pool, ...singles] = await Promise.all([DetectorPool.load(cards, { processes: 2 }), ...cards.map((c) => Detector.load(c))]);
    try {
      expect(pool.size).toBe(2);
      expect(pool.cards.map((c) => c.id)).toEqual(cards.map((c) => c.id));
      const frames = await Promise.all(images.slice(2).map(loadImageFile));
      // Every (model, frame) at once, interleaved across the two processes.
      const got = await Promise.all(cards.flatMap((c) => frames.map((f) => pool.model(c.id).detect(f))));
      const want = [];
      for (const d of singles) for (const f of frames) want.push((await d.detect(f)).detections);
      expect(got.map((r) => r.detections)).toEqual(want);
      // The first card is what the pool itself runs.
      expect((await pool.detect(frames[0]!)).detections).toEqual(want[0]);
      expect(() => pool.model('no-such-model')).toThrow(/no model "no-such-model" \(loaded: picodet-s-416-coco, picodet-s-416-fire-smoke, fastestdet-352-coco\)/);
      await expect(pool.detectWith('no-such-model', frames[0]!)).rejects.toThrow(DetectorProcessError);
    } finally {
      await Promise.all([pool.close(), ...singles.map((d) => d.close())]);
    }
  });

  it('adds a model to running processes and drops one, the other model serving throughout; a model that cannot load leaves the pool as it was', async () => {
    const [fastest, fire] = await Promise.all(['fastestdet-352-coco', 'picodet-s-416-fire-smoke'].map((id) => resolveModel(id)));
    const [pool, alone] = await Promise.all([DetectorPool.load(fastest!, { processes: 2 }), Detector.load(fire!)]);
    const dir = mkdtempSync(join(tmpdir(), 'gw-pool-add-'));
    try {
      const frame = await loadImageFile(images[3]!);
      const first = (await pool.detect(frame)).detections;
      // Frames of the first model in flight while the second loads.
      const during = pool.detect(frame);
      await pool.addModel(fire!);
      expect((await during).detections).toEqual(first);
      expect(pool.cards.map((c) => c.id)).toEqual(['fastestdet-352-coco', 'picodet-s-416-fire-smoke']);
      // Both processes hold it: two frames at once go to both.
      const both = await Promise.all([frame, frame].map((f) => pool.model('picodet-s-416-fire-smoke').detect(f)));
      const want = (await alone.detect(frame)).detections;
      expect(both.map((r) => r.detections)).toEqual([want, want]);

      // A corrupt file: the typed error, and the pool keeps exactly what it had.
      const bytes = readFileSync(fire!.modelPath);
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
      writeFileSync(join(dir, 'corrupt.onnx'), bytes);
      const bad = { ...fire!, id: 'fire-corrupt', modelPath: join(dir, 'corrupt.onnx') };
      await expect(pool.addModel(bad)).rejects.toBeInstanceOf(ModelIntegrityError);
      expect(pool.cards.map((c) => c.id)).toEqual(['fastestdet-352-coco', 'picodet-s-416-fire-smoke']);
      expect(() => pool.model('fire-corrupt')).toThrow(RangeError);

      // Dropped: its frames are refused by name, the other model still answers as before.
      await pool.removeModel('fastestdet-352-coco');
      expect(pool.cards.map((c) => c.id)).toEqual(['picodet-s-416-fire-smoke']);
      await expect(pool.detectWith('fastestdet-352-coco', frame)).rejects.toThrow(ModelDroppedError);
      expect((await pool.detect(frame)).detections).toEqual(want);
      // A process started after the change loads the models in service now.
      const killed = pool.pids[0]!;
      process.kill(killed, 'SIGKILL');
      while (pool.pids.includes(killed)) await new Promise((r) => setTimeout(r, 20));
      const again = await Promise.all([frame, frame, frame].map((f) => pool.detect(f)));
      expect(again.map((r) => r.detections)).toEqual([want, want, want]);
      await expect(pool.removeModel('picodet-s-416-fire-smoke')).rejects.toBeInstanceOf(RangeError);
    } finally {
      await Promise.all([pool.close(), alone.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drains a dropped model: every frame accepted before the drop is answered with its detections, a frame after is refused typed by name; re-added while draining, it serves again', async () => {
    const [fastest, fire] = await Promise.all(['fastestdet-352-coco', 'picodet-s-416-fire-smoke'].map((id) => resolveModel(id)));
    const [pool, alone] = await Promise.all([DetectorPool.load([fastest!, fire!], { processes: 2 }), Detector.load(fastest!)]);
    try {
      const frames = await Promise.all(images.map(loadImageFile));
      const want = [];
      for (const f of frames) want.push((await alone.detect(f)).detections);
      expect(want.some((d) => d.items.length > 0)).toBe(true);
      const held = pool.model('fastestdet-352-coco');
      const dropped = (): boolean => !pool.cards.some((c) => c.id === 'fastestdet-352-coco');

      // Eight frames: four sent to the two processes, four still queued in the pool when the drop comes.
      const started = [...frames, ...frames].map((f) => held.detect(f));
      expect(pool.queued).toBe(4);
      const removing = pool.removeModel('fastestdet-352-coco');
      while (!dropped()) await new Promise((r) => setImmediate(r));
      const late = await held.detect(frames[0]!).catch((e: unknown) => e);
      await removing;
      expect((await Promise.all(started)).map((r) => r.detections)).toEqual([...want, ...want]);
      expect(late).toBeInstanceOf(ModelDroppedError);
      expect((late as Error).message).toContain('"fastestdet-352-coco"');
      expect(pool.cards.map((c) => c.id)).toEqual(['picodet-s-416-fire-smoke']);

      // Added back, dropped again, added again at once: the add waits for the drain, then loads it afresh.
      await pool.addModel(fastest!);
      const again = frames.map((f) => pool.model('fastestdet-352-coco').detect(f));
      const [, , readded] = await Promise.all([pool.removeModel('fastestdet-352-coco'), pool.addModel(fastest!), Promise.all(again)]);
      expect(readded.map((r) => r.detections)).toEqual(want);
      expect(pool.cards.map((c) => c.id)).toEqual(['picodet-s-416-fire-smoke', 'fastestdet-352-coco']);
      const after = await Promise.all(frames.map((f) => pool.model('fastestdet-352-coco').detect(f)));
      expect(after.map((r) => r.detections)).toEqual(want);
    } finally {
      await Promise.all([pool.close(), alone.close()]);
    }
  });

  it('refuses two cards with one id', async () => {
    const card = await resolveModel('fastestdet-352-coco');
    await expect(DetectorPool.load([card, card], { processes: 1 })).rejects.toThrow(/two model cards have the id "fastestdet-352-coco"/);
  });
});

describe('DetectorPool priority', () => {
  it('runs its processes `nice` below this process (capped at 19) and refuses a niceness out of 0-19', async () => {
    const card = await resolveModel('picodet-s-416-coco');
    const niceOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const pool = await DetectorPool.load(card, { processes: 1, nice: 6 });
    try {
      expect(pool.pids.map(niceOf)).toEqual([Math.min(19, getPriority() + 6)]);
    } finally {
      await pool.close();
    }
    await expect(DetectorPool.load(card, { processes: 1, nice: 20 })).rejects.toThrow(/nice must be an integer 0-19, got 20/);
  });
});

describe('DetectorPool lifecycle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-pool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a model that fails to load in its processes with the same typed error as in-process', async () => {
    const zoo = join(import.meta.dirname, 'zoo');
    const bytes = readFileSync(join(zoo, 'fastestdet_352_coco.onnx'));
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'corrupt.onnx'), bytes);
    copyFileSync(join(zoo, 'fastestdet_352_coco.json'), join(dir, 'card.json'));
    const card = await loadModelCard(join(dir, 'card.json'), join(dir, 'corrupt.onnx'));
    const err = await DetectorPool.load(card, { processes: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect((err as Error).message).toContain('corrupt.onnx');
  });

  it('rejects frames after close; close is safe twice', async () => {
    const pool = await DetectorPool.load(await resolveModel('fastestdet-352-coco'), { processes: 1 });
    const frame = await loadImageFile(images[0]!);
    const inFlight = pool.detect(frame).then(() => 'done', (e: unknown) => e);
    await pool.close();
    await pool.close();
    // The frame in flight either finished before close or was rejected, never left hanging.
    const outcome = await inFlight;
    if (outcome !== 'done') expect(outcome).toBeInstanceOf(DetectorProcessError);
    await expect(pool.detect(frame)).rejects.toBeInstanceOf(DetectorProcessError);
  });

  it('replaces a detector process that dies: the frame it held fails typed, the next ones are served', async () => {
    const pool = await DetectorPool.load(await resolveModel('fastestdet-352-coco'), { processes: 1 });
    try {
      const frame = await loadImageFile(images[0]!);
      const [pid] = pool.pids;
      const held = pool.detect(frame).then(() => 'done', (e: unknown) => e);
      process.kill(pid!, 'SIGKILL');
      const outcome = await held;
      // Killed before or after it answered: either way nothing hangs.
      if (outcome !== 'done') expect(outcome).toBeInstanceOf(DetectorProcessError);
      const again = await pool.detect(frame);
      expect(again.detections.width).toBe(frame.width);
      expect(pool.pids).toHaveLength(1);
      expect(pool.pids[0]).not.toBe(pid);
    } finally {
      await pool.close();
    }
  });

  it('refuses a process count out of range', async () => {
    await expect(DetectorPool.load(await resolveModel('fastestdet-352-coco'), { processes: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
