import { describe, expect, it } from 'vitest';
import { classifyStderr, errorLines } from './stderr-classify.ts';

// Lines captured from ffmpeg 5.1.9 (`-loglevel level+info`) against the GStreamer RTSP test
// server, except where marked synthetic (this sandbox routes every address, so "No route to
// host" cannot be produced here; those lines follow the format of the real "Connection refused" pair).
const CASES = [
  {
    name: '404 wrong path',
    stderr: `[rtsp @ 0x55f014873a00] [error] method DESCRIBE failed: 404 Not Found
[error] rtsp://127.0.0.1:34339/nope: Server returned 404 Not Found`,
    kind: 'not-found',
  },
  {
    name: '401 without credentials (digest mount)',
    stderr: `[rtsp @ 0x55fa8f5df000] [error] method DESCRIBE failed: 401 Unauthorized
[error] rtsp://127.0.0.1:39005/secure: Server returned 401 Unauthorized (authorization failed)`,
    kind: 'auth',
    status: 401,
  },
  {
    name: '403 (synthetic, same format)',
    stderr: `[rtsp @ 0x55fa8f5df000] [error] method DESCRIBE failed: 403 Forbidden
[error] rtsp://***:***@10.0.0.5/live: Server returned 403 Forbidden (access denied)`,
    kind: 'auth',
    status: 403,
  },
  {
    name: 'closed port',
    stderr: `[tcp @ 0x555ab8bf2200] [error] Connection to tcp://127.0.0.1:39233?timeout=3000000 failed: Connection refused
[error] rtsp://***:***@127.0.0.1:39233/x: Connection refused`,
    kind: 'refused',
  },
  {
    name: 'DNS failure: the reason is on the tcp line only',
    stderr: `[tcp @ 0x55b9e2010c80] [error] Failed to resolve hostname no-such-host.invalid: Name or service not known
[error] rtsp://***:***@no-such-host.invalid:554/x: Input/output error`,
    kind: 'unreachable',
  },
  {
    name: 'no route (synthetic)',
    stderr: `[tcp @ 0x55e0cc3a7c80] [error] Connection to tcp://10.0.0.99:554?timeout=3000000 failed: No route to host
[error] rtsp://10.0.0.99:554/live: No route to host`,
    kind: 'unreachable',
  },
  {
    name: 'stream frozen after setup: ffmpeg socket timeout',
    stderr: `[rtsp @ 0x56493d69ea00] [warning] Stream #0: not enough frames to estimate rate; consider increasing probesize
[info] Input #0, rtsp, from 'rtsp://127.0.0.1:34339/street-cars':
[info] Stream mapping:
[error] rtsp://127.0.0.1:34339/street-cars: Connection timed out
[info] Output #0, rawvideo, to 'pipe:1':
[warning] Output file is empty, nothing was encoded (check -ss / -t / -frames parameters if used)`,
    kind: 'timeout',
  },
  {
    name: 'port that never answers, or an HTTP server',
    stderr: `[error] rtsp://127.0.0.1:40427/x: Invalid data found when processing input`,
    kind: 'undecodable',
  },
  {
    name: 'no video stream',
    stderr: `[info] Input #0, lavfi, from 'sine=d=1':
[fatal] Stream map '0:v:0' matches no streams.
To ignore this, add a trailing '?' to the map.`,
    kind: 'undecodable',
  },
  {
    name: 'camera out of sessions (synthetic)',
    stderr: `[rtsp @ 0x55f014873a00] [error] method SETUP failed: 503 Service Unavailable
[error] rtsp://10.0.0.5/live: Server returned 5XX Server Error reply`,
    kind: 'rtsp-status',
    status: 503,
  },
  {
    name: 'server stopped mid-stream: info lines only',
    stderr: `[info] Input #0, rtsp, from 'rtsp://127.0.0.1:34339/motion':
[info] Output #0, rawvideo, to 'pipe:1':
[info] frame=   11 fps=8.2 q=-0.0 Lsize=   29700kB time=00:00:01.36 bitrate=178898.8kbits/s speed=1.02x`,
    kind: 'unknown',
  },
  {
    name: 'error words in info text (a stream title) are ignored',
    stderr: `[info]     title           : 404 Not Found Connection refused
[info] Output #0, rawvideo, to 'pipe:1':`,
    kind: 'unknown',
  },
  {
    name: 'untagged output (no level+ flag) is read whole',
    stderr: `rtsp://h/x: Connection refused`,
    kind: 'refused',
  },
] as const;

describe('classifyStderr', () => {
  it.each(CASES)('$name -> $kind', (c) => {
    const v = classifyStderr(c.stderr);
    expect(v.kind).toBe(c.kind);
    if ('status' in c) expect(v).toMatchObject({ status: c.status });
  });

  it('names the deciding line', () => {
    expect(classifyStderr(CASES[4].stderr).line).toContain('Name or service not known');
  });
});

describe('errorLines', () => {
  it('keeps error, fatal and panic lines when lines carry level tags', () => {
    expect(errorLines('[info] a\n[warning] b\n[error] c\n[x @ 0x1] [fatal] d\n[panic] e')).toEqual(['[error] c', '[x @ 0x1] [fatal] d', '[panic] e']);
  });
  it('keeps every non-empty line when none is tagged', () => {
    expect(errorLines('a\n\nb\r\n')).toEqual(['a', 'b']);
  });
});
