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

/** The fixture photo behind each still camera of the demo, by its RTSP mount (stills at their own size only). */
const stills = new Map(DEFAULT_STREAMS.flatMap((s) => (s.source.kind === 'still' && s.width === undefined ? [[s.path, s.source.image] as const] : [])));

describe('demo.yaml zones and rules on what PicoDet really sees in the demo pictures', () => {
  let config: GridworkerConfig;
  let detector: Detector;

  beforeAll(async () => {
    config = await loadConfig(demo, { env: { RTSP_PORT: '8554', CLOSED_PORT: '1' } });
    detector = await Detector.load(await resolveModel(config.models.default));
  });
  afterAll(() => detector?.close());

  /** One picture's detections, boxes 0-1, at the demo's score threshold. */
  async function detect(image: string): Promise<FrameDetections> {
    const frame = await loadImageFile(image);
    const conf = config.models.options[detector.card.id]?.conf;
    const { detections } = await detector.detect(frame, conf === undefined ? {} : { scoreThreshold: conf });
    return detections.items.map((d) => ({ ...d, box: [d.box[0] / frame.width, d.box[1] / frame.height, d.box[2] / frame.width, d.box[3] / frame.height] }));
  }

  it('opens the intended events within a few demo visits', async () => {
    const rules = RuleSet.fromConfig(config);
    const model = `${detector.card.id}@${detector.card.version}`;
    const seen: Record<string, string[]> = {};
    for (const cam of config.cameras) {
      const image = stills.get(new URL(cam.url).pathname.slice(1));
      // The trained models' cameras are trained-scenes.int.test.ts's.
      if (image === undefined || cam.detectors.join() !== config.models.default) continue;
      const frame = await detect(image);
      const camRules = checkRulesAgainstModel(rules.forCamera(cam), detector.card).enabled;
      let memory: CameraMemory = emptyCameraMemory();
      seen[cam.id] = [];
      for (const s of [0, 30, 70, 130]) {
        const r = evaluateVisit({ camera: cam, rules: camRules, frames: [frame, frame, frame], model, at: 1_800_000_000_000 + s * 1000, memory });
        memory = r.memory;
        seen[cam.id]!.push(...r.events.map((e) => `${s}s ${e.eventType}@${e.zone} x${e.boxes.length}`));
      }
    }
    expect(seen).toEqual({
      'school-gate': ['0s crowd_gathering@gate-square x5', '30s crowd_gathering@gate-square x5', '70s crowd_gathering@gate-square x5', '130s crowd_gathering@gate-square x5'],
      'hospital-entrance': [],
      'transit-hub-bus': ['70s illegal_parking@road x1', '130s illegal_parking@road x1'],
      'main-st-pavement': ['70s disorderly_bikes@pavement x2', '130s disorderly_bikes@pavement x2'],
      'night-market': ['70s street_vending@promenade x3', '130s street_vending@promenade x3'],
    });
  });
});
