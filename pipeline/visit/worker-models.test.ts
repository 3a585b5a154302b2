import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.ts';
import { runningSpecs } from './worker-models.ts';

const config = (body: string) =>
  parseConfig(['redis: { url: "redis://127.0.0.1:6379", prefix: t }', 'cameras:', body].join('\n'), 'test.yaml');
const cam = (id: string, extra = ''): string => `  - { id: ${id}, name: ${id}, url: "rtsp://h/${id}", areaType: street, grid: g1, priority: key${extra} }`;

describe('runningSpecs: the models a worker loads are those its enabled cameras run', () => {
  it('loads the default model only where a camera runs it (no detectors named)', () => {
    expect([...runningSpecs(config(cam('a', ', detectors: [picodet-s-416-garbage]')))]).toEqual(['picodet-s-416-garbage']);
    expect([...runningSpecs(config(cam('a')))]).toEqual(['picodet-s-416-coco']);
    expect([...runningSpecs(config(`${cam('a', ', detectors: [picodet-s-416-garbage]')}\n${cam('b')}`))].sort()).toEqual(['picodet-s-416-coco', 'picodet-s-416-garbage']);
  });

  it('leaves out disabled cameras, shadow candidates with no enabled camera in their group, and the models candidates replace', () => {
    const text = [
      cam('a', ', detectors: [picodet-s-416-garbage]'),
      cam('off', ', detectors: [fastestdet-352-coco], enabled: false'),
      'models:',
      '  shadow:',
      '    - { model: picodet-s-416-fire-smoke, replaces: picodet-s-416-coco, cameras: [a] }',
      '    - { model: nanodet-m-416-coco, cameras: [off] }',
    ].join('\n');
    expect([...runningSpecs(config(text))].sort()).toEqual(['picodet-s-416-fire-smoke', 'picodet-s-416-garbage']);
  });
});
