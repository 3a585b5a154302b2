import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ValidateJson, runValidate } from './validate.ts';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string): string => join(root, 'test-fixtures', 'configs', name);

/** Runs `validate` in process and returns what it wrote. */
async function validate(file: string, flags: { env?: Record<string, string>; json?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  const code = await runValidate(file, { env: flags.env ?? {}, json: flags.json });
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => vi.restoreAllMocks());

describe('gridworker validate', () => {
  it('summarises a good file', async () => {
    const r = await validate(fixture('demo.yaml'), { env: { RTSP_PORT: '8554', CLOSED_PORT: '1' } });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: 11 cameras \(4 key, 4 normal, 3 low; 11 enabled\) in 7 grids, 6 zones, 3 time windows \(UTC\), detectors: picodet-s-416-coco, picodet-s-416-garbage, picodet-s-416-fire-smoke$/m);
  });

  it.each([
    ['bad-unknown-key.yaml', ['cameras.0.fps', 'patrol.dwel']],
    ['bad-url-scheme.yaml', ['cameras.0.url']],
    ['bad-polygon.yaml', ['cameras.0.zones.0.points.1.0', 'cameras.0.zones.1.points']],
    ['bad-duplicate-id.yaml', ['cameras.3.id', 'cameras.2.zones.1.name']],
    ['bad-time-window.yaml', ['patrol.timeWindows.0.start', 'patrol.timeWindows.1.cameraIds.0']],
    ['bad-wrong-type.yaml', ['cameras.0.priority', 'cameras.0.enabled', 'patrol.visitsInFlightPerWorker', 'api.port']],
  ])('%s: prints every problem with its key path, value and reason, exit 1', async (name, paths) => {
    const r = await validate(fixture(name));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    for (const p of paths) expect(r.err).toMatch(new RegExp(`${name}:\\d+:\\d+: ${p.replaceAll('.', '\\.')}: .+`));
    expect(r.err.trim().split('\n')).toHaveLength(paths.length + 1);
  });

  it('prints one JSON document with --json', async () => {
    const bad = JSON.parse((await validate(fixture('bad-url-scheme.yaml'), { json: true })).out) as ValidateJson;
    expect(bad).toMatchObject({ ok: false, code: 'CONFIG_INVALID', issues: [{ path: 'cameras.0.url', value: 'http://***:***@10.0.0.21/stream1', line: 4 }] });
    const good = JSON.parse((await validate(fixture('minimal.yaml'), { json: true })).out) as ValidateJson;
    expect(good).toMatchObject({ ok: true, summary: { cameras: 1, key: 0, normal: 1, zones: 0, detectors: ['picodet-s-416-coco'] } });
  });
});
