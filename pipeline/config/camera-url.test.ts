import { describe, expect, it } from 'vitest';
import { cameraStreamUrl } from './camera-url.ts';
import { ConfigError } from './errors.ts';

const base = { id: 'cam-1', url: 'rtsp://10.0.0.5:554/live', subUrl: 'rtsp://10.0.0.5:554/sub' };

describe('cameraStreamUrl', () => {
  it('returns URLs unchanged without separate credentials, and null for a missing sub stream', () => {
    expect(cameraStreamUrl({ id: 'x', url: 'rtsp://a:b@h/x' })).toBe('rtsp://a:b@h/x');
    expect(cameraStreamUrl({ id: 'x', url: 'rtsp://h/x' }, 'sub')).toBeNull();
  });

  it('merges username and password, percent-encoded, into either stream', () => {
    const cam = { ...base, username: 'demo', password: 'p@ss:word/1' };
    expect(cameraStreamUrl(cam)).toBe('rtsp://demo:p%40ss%3Aword%2F1@10.0.0.5:554/live');
    expect(cameraStreamUrl(cam, 'sub')).toBe('rtsp://demo:p%40ss%3Aword%2F1@10.0.0.5:554/sub');
  });

  it('reads passwordEnv when used, and fails naming the variable when it is unset', () => {
    const cam = { ...base, username: 'demo', passwordEnv: 'CAM_PW' };
    expect(cameraStreamUrl(cam, 'main', { CAM_PW: 'demo-pass' })).toBe('rtsp://demo:demo-pass@10.0.0.5:554/live');
    expect(() => cameraStreamUrl(cam, 'main', {})).toThrow(ConfigError);
    expect(() => cameraStreamUrl(cam, 'main', {})).toThrow(/CAM_PW is not set/);
  });
});
