import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelCard } from '../../models/model-card.ts';
import { loadConfig } from '../config/load-config.ts';
import { emptyCameraMemory } from './camera-memory.ts';
import { DEFAULT_RULES } from './default-catalogue.ts';
import { evaluateVisit } from './rule-engine.ts';
import { checkRulesAgainstModel } from './rule-model-check.ts';
import { RuleSet } from './rule-set.ts';

const root = join(import.meta.dirname, '..', '..');
const fireCard = join(root, 'test-fixtures', 'models', 'fire-smoke-card.json');
const cocoCard = join(root, 'models', 'zoo', 'picodet_s_416_coco.json');

describe('checkRulesAgainstModel', () => {
  it('a COCO model leaves fire_smoke, exposed_garbage and overflowing_bin idle, with an info line each', async () => {
    const coco = await loadModelCard(cocoCard);
    const report = checkRulesAgainstModel(DEFAULT_RULES, coco);
    expect(report.enabled.map((r) => r.id)).toEqual(['illegal_parking', 'disorderly_bikes', 'street_vending', 'crowd_gathering']);
    expect(report.disabled.map((n) => n.ruleId)).toEqual(['fire_smoke', 'exposed_garbage', 'overflowing_bin']);
    expect(report.disabled[0]!.message).toBe('rule fire_smoke is idle on model picodet-s-416-coco: the model has none of fire, smoke, flame');
    expect(report.partial).toEqual([]);
  });

  it('a fire/smoke model enables fire_smoke (without the "flame" label) and nothing needing COCO classes', async () => {
    const fire = await loadModelCard(fireCard);
    expect(fire.labels).toEqual(['fire', 'smoke']);
    const report = checkRulesAgainstModel(DEFAULT_RULES, fire);
    expect(report.enabled.map((r) => r.id)).toEqual(['fire_smoke']);
    expect(report.partial).toEqual([expect.objectContaining({ ruleId: 'fire_smoke', missing: ['flame'] })]);
  });

  it('disables a rule whose companion class the model lacks, and compares labels loosely', () => {
    const report = checkRulesAgainstModel(DEFAULT_RULES, { id: 'stalls', labels: ['Umbrella', 'dining_table'] });
    expect(report.disabled.find((n) => n.ruleId === 'street_vending')?.message).toBe('rule street_vending is idle on model stalls: the model has none of person');
    expect(checkRulesAgainstModel(DEFAULT_RULES, { id: 'stalls', labels: ['Umbrella', 'dining_table', 'PERSON'] }).enabled.map((r) => r.id)).toContain('street_vending');
  });
});

describe('a fire model configured: the shipped rule works without code', () => {
  it('fire-watch.yaml -> the card\'s labels -> fire_smoke runs and raises on fire detections', async () => {
    const config = await loadConfig(join(root, 'test-fixtures', 'configs', 'fire-watch.yaml'), { env: {} });
    const cam = config.cameras[0]!;
    expect(cam.detectors).toEqual([fireCard]);
    const card = await loadModelCard(cam.detectors[0]!);
    const rules = checkRulesAgainstModel(new RuleSet(config.events.rules).forCamera(cam), card).enabled;
    expect(rules.map((r) => r.id)).toEqual(['fire_smoke']);
    const smoke = { label: 'smoke', classId: 1, score: 0.71, box: [0.4, 0.1, 0.7, 0.35] };
    const { events } = evaluateVisit({ camera: cam, rules, frames: [[smoke], [smoke], []], model: `${card.id}@${card.version}`, at: 1_000, memory: emptyCameraMemory() });
    expect(events).toEqual([
      expect.objectContaining({ eventType: 'fire_smoke', cameraId: 'warehouse-yard', zone: null, confidence: 0.71, model: 'fire-smoke-test@0.0.1', frameIndex: 1 }),
    ]);
  });
});
