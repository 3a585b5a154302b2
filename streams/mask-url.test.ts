import { describe, expect, it } from 'vitest';
import { maskSecrets, maskUrl } from './mask-url.ts';

describe('maskUrl', () => {
  it.each([
    { url: 'rtsp://admin:secret@10.0.0.5:554/live', want: 'rtsp://***:***@10.0.0.5:554/live' },
    { url: 'rtsp://admin@10.0.0.5/live', want: 'rtsp://***@10.0.0.5/live' },
    { url: 'rtsp://10.0.0.5:554/live', want: 'rtsp://10.0.0.5:554/live' },
    { url: 'rtsp://gridworker:p%40ss%3Aw0rd%2F1@127.0.0.1:8554/secure', want: 'rtsp://***:***@127.0.0.1:8554/secure' },
    // Malformed: raw '@' and '/' in the password; everything up to the last '@' goes.
    { url: 'rtsp://admin:p@ss/w@rd@10.0.0.5/live', want: 'rtsp://***:***@10.0.0.5/live' },
    { url: 'rtsp://admin:pa ss@10.0.0.5/live', want: 'rtsp://***:***@10.0.0.5/live' },
    { url: 'admin:secret@10.0.0.5/live', want: '***:***@10.0.0.5/live' },
    { url: 'rtsp://10.0.0.5/live?user=admin&password=secret&channel=1', want: 'rtsp://10.0.0.5/live?user=***&password=***&channel=1' },
    { url: 'rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0', want: 'rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0' },
    { url: '', want: '' },
    { url: 'not a url', want: 'not a url' },
  ])('$url -> $want', ({ url, want }) => {
    expect(maskUrl(url)).toBe(want);
  });

  it('never throws on odd input', () => {
    expect(() => maskUrl(undefined as unknown as string)).not.toThrow();
    expect(() => maskUrl('%%%@@@//??##')).not.toThrow();
    expect(maskUrl('rtsp://u:p@h/?pass%=x')).not.toContain(':p@');
  });
});

describe('maskSecrets', () => {
  const source = { url: 'rtsp://10.0.0.5:554/live', username: 'operator', password: 'p@ss:w0rd/1' };
  const encoded = 'rtsp://operator:p%40ss%3Aw0rd%2F1@10.0.0.5:554/live';

  it('masks credentialed URLs in ffmpeg stderr', () => {
    const stderr = [
      `[rtsp @ 0x55fa8f5df000] [error] method DESCRIBE failed: 401 Unauthorized`,
      `[error] ${encoded}: Server returned 401 Unauthorized (authorization failed)`,
      `[info] Input #0, rtsp, from '${encoded}':`,
    ].join('\n');
    const out = maskSecrets(stderr, source);
    expect(out).toContain('rtsp://***:***@10.0.0.5:554/live: Server returned 401');
    expect(out).toContain("from 'rtsp://***:***@10.0.0.5:554/live'");
    for (const secret of ['p@ss:w0rd/1', 'p%40ss%3Aw0rd%2F1', 'operator']) expect(out).not.toContain(secret);
  });

  it('masks the password and user anywhere, plain, encoded or as Basic auth', () => {
    const basic = Buffer.from('operator:p@ss:w0rd/1').toString('base64');
    const text = `user operator sent p@ss:w0rd/1 then p%40ss%3Aw0rd%2F1, Authorization: Basic ${basic}`;
    const out = maskSecrets(text, source);
    expect(out).toBe('user *** sent *** then ***, Authorization: Basic ***');
  });

  it('masks credentials embedded in the source URL', () => {
    const src = { url: 'rtsp://admin:hunter2@cam.local/stream' };
    const out = maskSecrets('failed: rtsp://admin:hunter2@cam.local/stream and hunter2 again', src);
    expect(out).toBe('failed: rtsp://***:***@cam.local/stream and *** again');
  });

  it('keeps short user names in prose (they would shred every word) but masks them in URLs', () => {
    const out = maskSecrets('rtsp://ad:pw@h/x: error reading data', { url: 'rtsp://h/x', username: 'ad', password: 'pw' });
    expect(out).toBe('rtsp://***:***@h/x: error reading data');
  });
});
