import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigReadError, ConfigSyntaxError } from './errors.ts';
import { loadConfig, parseConfig } from './load-config.ts';

const dir = join(import.meta.dirname, '..', '..', 'test-fixtures', 'configs');
const fixture = (name: string): string => join(dir, name);
const demoEnv = { RTSP_PORT: '8554', CLOSED_PORT: '1' };

async function problems(name: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const err = await loadConfig(fixture(name), { env }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

const paths = (e: ConfigError): string[] => e.issues.map((i) => i.path);

describe('loadConfig: good files', () => {
  it('applies every default to the minimal file', async () => {
    const c = await loadConfig(fixture('minimal.yaml'), { env: {} });
    expect(c.cameras[0]).toMatchObject({ id: 'cam-1', priority: 'normal', enabled: true, zones: [], detectors: ['picodet-s-416-coco'] });
    expect(c.patrol).toMatchObject({
      revisitTargets: { key: 120, normal: 900, low: 1800, byAreaType: {} },
      dwell: { frames: 3, spacingMs: 500 },
      timeWindows: [],
      visitsInFlightPerWorker: 'auto',
      detectorProcesses: 'auto',
      quarantine: { failuresBeforeQuarantine: 3, baseBackoffS: 60, maxBackoffS: 3600 },
      starvationFactor: 3,
    });
    expect(c.patrol.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'gridworker' });
    expect(c.api).toEqual({
      host: '127.0.0.1',
      port: 8080,
      metricsPort: 9464,
      claimLeaseMinutes: 15,
      auth: { sessionIdleMinutes: 30, sessionMaxHours: 12, lockAfterFailures: 5, lockMinutes: 15, loginPerMinute: 10, trustedOrigins: [] },
    });
    expect(c.storage.dir).toBe(join(dir, '.gridworker', 'data'));
  });

  it('takes the Redis URL default from REDIS_URL', async () => {
    const c = await loadConfig(fixture('minimal.yaml'), { env: { REDIS_URL: 'redis://10.1.1.1:6380' } });
    expect(c.redis.url).toBe('redis://10.1.1.1:6380');
  });

  it('reads JSON, resolves model card paths against the file, and never serialises secrets', async () => {
    const c = await loadConfig(fixture('full.json'), { env: { CAM_B_PASSWORD: 'pw' } });
    expect(c.cameras[0]!.url).toBe('rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101');
    expect(c.cameras[0]!.detectors[1]).toBe(join(dir, '..', '..', 'models', 'zoo', 'fastestdet_352_coco.json'));
    expect(c.cameras[1]).toMatchObject({ enabled: false, passwordEnv: 'CAM_B_PASSWORD' });
    expect(c.patrol.revisitTargets).toMatchObject({ key: 90, normal: 900 });
    const json = JSON.stringify(c);
    expect(json).not.toMatch(/s3cret|redispw/);
    expect(json).toContain('rtsp://***:***@10.0.0.5:554');
  });

  it('loads the demo with ${ENV} substitution', async () => {
    const c = await loadConfig(fixture('demo.yaml'), { env: demoEnv });
    expect(c.cameras.map((x) => x.url.replace('rtsp://127.0.0.1:', ''))).toEqual([
      '8554/crowd',
      '8554/street-cars',
      '8554/street-bus',
      '8554/gop4',
      '8554/motion',
      '8554/umbrellas',
      '8554/secure',
      '8554/overflowing-bin',
      '8554/smoke',
      '8554/no-such-path',
      '1/x',
    ]);
    expect(c.cameras.filter((x) => x.priority === 'key').map((x) => x.areaType)).toEqual(['school', 'hospital', 'transport_hub', 'other']);
    expect(new Set(c.cameras.map((x) => x.areaType))).toEqual(new Set(['school', 'hospital', 'transport_hub', 'street', 'market', 'urban_village', 'residential', 'other']));
    expect(c.patrol.timeWindows.map((w) => [w.name, w.start, w.end, w.targetS])).toContainEqual(['school-run-morning', '07:15', '08:30', 10]);
  });
});

describe('loadConfig: bad files report every problem with its key path', () => {
  it('unknown keys', async () => {
    const e = await problems('bad-unknown-key.yaml');
    expect(e.code).toBe('CONFIG_INVALID');
    expect(paths(e)).toEqual(['cameras.0.fps', 'patrol.dwel']);
    expect(e.issues[0]).toMatchObject({ message: 'unknown key', value: 25, line: 7, column: 5 });
    expect(e.message).toContain('bad-unknown-key.yaml:7:5: cameras.0.fps: unknown key (got 25)');
  });

  it('a URL that is not rtsp, with its credentials masked', async () => {
    const e = await problems('bad-url-scheme.yaml');
    expect(e.issues).toEqual([
      expect.objectContaining({ path: 'cameras.0.url', message: 'scheme must be rtsp:// or rtsps://, got http://', value: 'http://***:***@10.0.0.21/stream1' }),
    ]);
    expect(e.message).not.toContain('hunter2');
  });

  it('polygon points outside 0-1 and too few points', async () => {
    const e = await problems('bad-polygon.yaml');
    expect(paths(e)).toEqual(['cameras.0.zones.0.points.1.0', 'cameras.0.zones.1.points']);
    expect(e.issues[0]).toMatchObject({ value: 1.2, message: 'must be 0-1 (relative to the image)' });
  });

  it('duplicate camera ids and zone names, pointing at the first', async () => {
    const e = await problems('bad-duplicate-id.yaml');
    expect(e.message).toContain('cameras.3.id: duplicate id "cam-12", first at cameras.0');
    expect(e.message).toContain('cameras.2.zones.1.name: duplicate zone name "road", first at cameras.2.zones.0');
  });

  it('a time window at 25:00 and one naming an unknown camera', async () => {
    const e = await problems('bad-time-window.yaml');
    expect(paths(e)).toEqual(['patrol.timeWindows.0.start', 'patrol.timeWindows.1.cameraIds.0']);
    expect(e.issues[0]).toMatchObject({ value: '25:00', line: 8 });
  });

  it('values of the wrong type or out of bounds', async () => {
    const e = await problems('bad-wrong-type.yaml');
    expect(paths(e)).toEqual(['cameras.0.priority', 'cameras.0.enabled', 'patrol.visitsInFlightPerWorker', 'api.port']);
    expect(e.issues.map((i) => i.value)).toEqual(['urgent', 'yes', 'two', 70000]);
  });

  it('YAML syntax errors with line and column', async () => {
    const e = await problems('bad-syntax.yaml');
    expect(e).toBeInstanceOf(ConfigSyntaxError);
    expect(e.code).toBe('CONFIG_SYNTAX');
    expect(e.issues[0]).toMatchObject({ line: 6, column: 5 });
  });

  it('an unset ${VAR}, named, without a second complaint about the URL', async () => {
    const e = await problems('demo.yaml', { RTSP_PORT: '8554' });
    expect(e.issues).toEqual([expect.objectContaining({ path: 'cameras.10.url', message: 'environment variable CLOSED_PORT is not set (referenced as ${CLOSED_PORT})' })]);
  });

  it('a missing file', async () => {
    const e = await problems('no-such-config.yaml');
    expect(e).toBeInstanceOf(ConfigReadError);
    expect(e.message).toMatch(/no-such-config\.yaml cannot be read:\n.*no such file/);
  });
});

describe('parseConfig: camera rules', () => {
  const camera = (extra: string): string =>
    `cameras:\n  - { id: a, name: A, url: "rtsp://u:p@10.0.0.1/x", areaType: street, grid: g, ${extra} }\n`;

  it('rejects credentials given twice, password with passwordEnv, a password without user, and an unset passwordEnv', () => {
    const run = (text: string): string[] => {
      try {
        parseConfig(text, 'inline.yaml', { env: {} });
        return [];
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(run(camera('username: x'))).toEqual(['cameras.0.username: credentials are both in the URL and in username/password: give them one way']);
    const plain = 'cameras:\n  - { id: a, name: A, url: "rtsp://10.0.0.1/x", areaType: street, grid: g, ';
    expect(run(`${plain}username: u, password: p, passwordEnv: PW }\n`)).toEqual([
      'cameras.0.passwordEnv: give password or passwordEnv, not both',
      'cameras.0.passwordEnv: environment variable PW is not set',
    ]);
    expect(run(`${plain}password: p }\n`)).toEqual(['cameras.0.username: a password needs a username']);
    expect(run(`${plain}username: u, passwordEnv: PW }\n`)).toEqual(['cameras.0.passwordEnv: environment variable PW is not set']);
  });

  it('reports missing keys as missing, at the object that lacks them', () => {
    try {
      parseConfig('cameras:\n  - { id: a }\n', 'x.yaml', { env: {} });
      expect.unreachable();
    } catch (e) {
      const issues = (e as ConfigError).issues;
      expect(issues.map((i) => i.path)).toEqual(['cameras.0.name', 'cameras.0.url', 'cameras.0.areaType', 'cameras.0.grid']);
      expect(issues[2]).toEqual({ path: 'cameras.0.areaType', message: expect.stringMatching(/^missing \(expected one of "school" \| "hospital"/), line: 2, column: 5 });
    }
  });

  it('masks a password in the reported value', () => {
    try {
      parseConfig('cameras:\n  - { id: a, name: A, url: "rtsp://10.0.0.1/x", areaType: street, grid: g, username: u, password: 42 }\n', 'x.yaml', { env: {} });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).issues[0]).toMatchObject({ path: 'cameras.0.password', value: '***' });
    }
  });

  it('supports ${NAME:-fallback} and $${ escapes', () => {
    const c = parseConfig('cameras:\n  - { id: a, name: "$${literal}", url: "rtsp://10.0.0.1:${P:-554}/x", areaType: street, grid: g }\n', 'x.yaml', { env: {} });
    expect(c.cameras[0]).toMatchObject({ name: '${literal}', url: 'rtsp://10.0.0.1:554/x' });
  });
});
