import { describe, expect, it } from 'vitest';
import { maskUrl } from './mask-credentials.ts';

describe('maskUrl (as the config uses it)', () => {
  it.each([
    ['rtsp://admin:secret@10.0.0.5:554/live', 'rtsp://***:***@10.0.0.5:554/live'],
    ['rtsps://admin@cam.local/live', 'rtsps://***@cam.local/live'],
    ['redis://:pw@127.0.0.1:6379/0', 'redis://***:***@127.0.0.1:6379/0'],
    ['rtsp://10.0.0.5/live', 'rtsp://10.0.0.5/live'],
    ['not a url', 'not a url'],
  ])('%s -> %s', (input, expected) => {
    expect(maskUrl(input)).toBe(expected);
  });

  it('does not leak a password holding raw separators', () => {
    expect(maskUrl('rtsp://u:pa/ss@10.0.0.5/live')).not.toContain('pa/ss');
  });
});
