import { describe, expect, it } from 'vitest';
import { resolveUrl } from './camera-source.ts';

describe('resolveUrl', () => {
  it.each([
    { name: 'no separate credentials: unchanged', src: { url: 'rtsp://u:p@h:554/x' }, want: 'rtsp://u:p@h:554/x' },
    { name: 'merged and URL-encoded', src: { url: 'rtsp://127.0.0.1:8554/secure', username: 'gridworker', password: 'p@ss:w0rd/1' }, want: 'rtsp://gridworker:p%40ss%3Aw0rd%2F1@127.0.0.1:8554/secure' },
    { name: 'separate fields replace embedded ones', src: { url: 'rtsp://old:old@h/x', username: 'new', password: 'n&w' }, want: 'rtsp://new:n%26w@h/x' },
    { name: 'user only', src: { url: 'rtsp://h/x', username: 'viewer' }, want: 'rtsp://viewer@h/x' },
    { name: 'password only keeps an empty user', src: { url: 'rtsp://h/x', password: 'pw' }, want: 'rtsp://:pw@h/x' },
    { name: 'query kept', src: { url: 'rtsp://h/x?channel=1', username: 'a b', password: 'c' }, want: 'rtsp://a%20b:c@h/x?channel=1' },
  ])('$name', ({ src, want }) => {
    expect(resolveUrl({ id: 'cam-1', ...src })).toBe(want);
  });

  it('throws without leaking when the URL has no scheme', () => {
    expect(() => resolveUrl({ id: 'cam-1', url: '10.0.0.5/live', username: 'u', password: 'secret' })).toThrow(/cam-1/);
    try {
      resolveUrl({ id: 'cam-1', url: '10.0.0.5/live', username: 'u', password: 'secret' });
    } catch (err) {
      expect(String(err)).not.toContain('secret');
    }
  });
});
