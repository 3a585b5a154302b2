import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.ts';
import { redactConfig } from './redact-config.ts';
import { DEFAULT_MODEL } from './services-schema.ts';
import { DEFAULT_MODEL_ID } from '../../models/model-catalog.ts';

const text = `
cameras:
  - { id: a, name: A, url: "rtsp://admin:topsecret@10.0.0.1/x", subUrl: "rtsp://admin:topsecret@10.0.0.1/y", areaType: street, grid: g }
  - { id: b, name: B, url: "rtsp://10.0.0.2/x", username: viewer, password: alsosecret, areaType: school, grid: g }
redis: { url: "redis://:redispw@10.0.0.9:6379" }
`;

describe('redactConfig', () => {
  const config = parseConfig(text, 'inline.yaml', { env: {} });

  it('masks URL credentials and passwords, keeping everything else', () => {
    const safe = redactConfig(config);
    expect(safe.cameras[0]).toMatchObject({ url: 'rtsp://***:***@10.0.0.1/x', subUrl: 'rtsp://***:***@10.0.0.1/y' });
    expect(safe.cameras[1]).toMatchObject({ username: 'viewer', password: '***', url: 'rtsp://10.0.0.2/x' });
    expect(safe.redis.url).toBe('redis://***:***@10.0.0.9:6379');
    expect(config.cameras[1]!.password).toBe('alsosecret'); // the original is untouched
  });

  it('is what JSON.stringify and util.inspect show of a loaded config', () => {
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      expect(shown).not.toMatch(/topsecret|alsosecret|redispw/);
      expect(shown).toContain('viewer');
    }
  });

  it('defaults to the same model as the model catalog', () => {
    expect(DEFAULT_MODEL).toBe(DEFAULT_MODEL_ID);
  });
});
