import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../models/detector.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadImageFile } from '../../models/preprocess/image-file.ts';
import { DEFAULT_STREAMS } from '../../test-fixtures/lib/rtsp-streams.ts';
import { loadConfig } from '../config/load-config.ts';
import type { FrameDetections } from '../visit/camera-visitor.ts';
import { type CameraMemory, emptyCameraMemory } from './camera-memory.ts';
import { evaluateVisit } from './rule-engine.ts';
import { DEFAULT_RULES } from './default-catalogue.ts';
import { checkRulesAgainstModel } from './rule-model-check.ts';
import { RuleSet } from './rule-set.ts';

const configs = join(import.meta.dirname, '..', '..', 'test-fixtures', 'configs');
const stills = new Map(DEFAULT_STREAMS.flatMap((s) => (s.source.kind === 'still' ? [[s.path, s.source.image] as const] : [])));

/**
 * The trained models' demo configs, on what the bundled trained models really see in the scene
 * photos their fixture cameras serve: the shipped rules (demo timings) confirm the events.
 */
describe.each([
  ['demo-garbage.yaml', 'picodet-s-416-garbage', ['exposed_garbage', 'overflowing_bin'], { 'lane-bins': ['overflowing_bin'] }],
  ['demo-fire.yaml', 'picodet-s-416-fire-smoke', ['fire_smoke'], { 'yard-smoke': ['fire_smoke'] }],
] as const)('%s with the bundled %s model', (file, modelId, served, expected) => {
  it('enables the rules the model has labels for and confirms the scene\'s event', async () => {
    const config = await loadConfig(join(configs, file), { env: { RTSP_PORT: '8554' } });
    expect(config.models.default).toBe(modelId);
    const detector = await Detector.load(await resolveModel(config.models.default));
    try {
      expect(checkRulesAgainstModel(DEFAULT_RULES, detector.card).enabled.map((r) => r.id)).toEqual(served);
      const rules = RuleSet.fromConfig(config);
      const model = `${detector.card.id}@${detector.card.version}`;
      const seen: Record<string, string[]> = {};
      for (const cam of config.cameras) {
        const image = stills.get(new URL(cam.url).pathname.slice(1));
        expect(image, cam.url).toBeDefined();
        const frame = await loadImageFile(image!);
        const { detections } = await detector.detect(frame);
        const boxes: FrameDetections = detections.items.map((d) => ({ ...d, box: [d.box[0] / frame.width, d.box[1] / frame.height, d.box[2] / frame.width, d.box[3] / frame.height] }));
        const camRules = checkRulesAgainstModel(rules.forCamera(cam), detector.card).enabled;
        let memory: CameraMemory = emptyCameraMemory();
        const types = new Set<string>();
        for (const s of [0, 30, 70, 130]) {
          const r = evaluateVisit({ camera: cam, rules: camRules, frames: [boxes, boxes, boxes], model, at: 1_800_000_000_000 + s * 1000, memory });
          memory = r.memory;
          for (const e of r.events) types.add(e.eventType);
        }
        seen[cam.id] = [...types].sort();
      }
      expect(seen).toEqual(expected);
    } finally {
      await detector.close();
    }
  });
});
