import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Detector } from '../../models/detector.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { DEFAULT_STREAMS } from '../../test-fixtures/lib/rtsp-streams.ts';
import type { GridworkerConfig } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import type { FrameDetections } from '../visit/camera-visitor.ts';
import { type CameraMemory, emptyCameraMemory } from './camera-memory.ts';
import { evaluateVisit } from './rule-engine.ts';
import { checkRulesAgainstModel } from './rule-model-check.ts';
import { RuleSet } from './rule-set.ts';

const demo = join(import.meta.dirname, '..', '..', 'test-fixtures', 'configs', 'demo.yaml');
const stills = new Map(DEFAULT_STREAMS.flatMap((s) => (s.source.kind === 'still' ? [[s.path, s.source.image] as const] : [])));

/**
 * demo.yaml's cameras that run the bundled trained models (alone or beside COCO), on what those
 * models really see in the scene photos the fixture cameras serve: the rules the camera's models
 * serve (demo timings) confirm the scene's event, as the worker runs them (every model's
 * detections of a frame together).
 */
describe('demo.yaml cameras with the trained models', () => {
  let config: GridworkerConfig;
  const detectors = new Map<string, Detector>();

  beforeAll(async () => {
    config = await loadConfig(demo, { env: { RTSP_PORT: '8554', CLOSED_PORT: '1' } });
    for (const spec of new Set(config.cameras.flatMap((c) => c.detectors))) detectors.set(spec, await Detector.load(await resolveModel(spec)));
  });
  afterAll(() => Promise.all([...detectors.values()].map((d) => d.close())));

  it.each([
    ['lane-bins', ['picodet-s-416-garbage'], ['exposed_garbage', 'overflowing_bin'], ['overflowing_bin']],
    ['yard-smoke', ['picodet-s-416-coco', 'picodet-s-416-fire-smoke'], ['fire_smoke'], ['fire_smoke']],
  ] as const)('%s runs %j, which serve %j, and confirms %j', async (cameraId, models, served, expected) => {
    const cam = config.cameras.find((c) => c.id === cameraId)!;
    expect(cam.detectors).toEqual(models);
    const mine = cam.detectors.map((spec) => detectors.get(spec)!);
    const rules = RuleSet.fromConfig(config).forCamera(cam);
    const camRules = checkRulesAgainstModel(rules, { id: 'camera', labels: mine.flatMap((d) => d.card.labels) }).enabled;
    expect(camRules.map((r) => r.id)).toEqual(served);
    const image = stills.get(new URL(cam.url).pathname.slice(1));
    expect(image, cam.url).toBeDefined();
    const frame = await loadImageFile(image!);
    const boxes: FrameDetections[number][] = [];
    for (const d of mine) {
      const { detections } = await d.detect(frame);
      boxes.push(...detections.items.map((x) => ({ ...x, box: [x.box[0] / frame.width, x.box[1] / frame.height, x.box[2] / frame.width, x.box[3] / frame.height] })));
    }
    const model = mine.map((d) => `${d.card.id}@${d.card.version}`).join('+');
    let memory: CameraMemory = emptyCameraMemory();
    const types = new Set<string>();
    for (const s of [0, 30, 70, 130]) {
      const r = evaluateVisit({ camera: cam, rules: camRules, frames: [boxes, boxes, boxes], model, at: 1_800_000_000_000 + s * 1000, memory });
      memory = r.memory;
      for (const e of r.events) types.add(e.eventType);
    }
    expect([...types].sort()).toEqual(expected);
  });
});
