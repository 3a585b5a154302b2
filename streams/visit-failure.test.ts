import { describe, expect, it } from 'vitest';
import { CameraError, StreamEndedError } from './errors.ts';
import { type EndedRun, failureOfRun } from './visit-failure.ts';

const ctx = { cameraId: 'cam-1', url: 'rtsp://10.0.0.5/live' };
const frame = { width: 1, height: 1, data: new Uint8Array(3) };
const run = (over: Partial<EndedRun>): EndedRun => ({ frames: [], framesWanted: 3, stderr: '', opened: false, socketTimeoutMs: 4000, elapsedMs: 100, ...over });

describe('failureOfRun', () => {
  it.each([
    { name: '404', over: { stderr: '[error] rtsp://h/x: Server returned 404 Not Found' }, code: 'CAMERA_NOT_FOUND' },
    { name: '401', over: { stderr: '[rtsp @ 0x1] [error] method DESCRIBE failed: 401 Unauthorized' }, code: 'CAMERA_AUTH_FAILED' },
    { name: 'refused', over: { stderr: '[error] rtsp://h/x: Connection refused' }, code: 'CAMERA_REFUSED' },
    { name: 'dns', over: { stderr: '[tcp @ 0x1] [error] Failed to resolve hostname x: Name or service not known' }, code: 'CAMERA_UNREACHABLE' },
    { name: 'socket timeout after open', over: { stderr: '[error] rtsp://h/x: Connection timed out', opened: true }, code: 'CAMERA_TIMEOUT', phase: 'first-frame' },
    { name: 'invalid data, fast: not RTSP', over: { stderr: '[error] rtsp://h/x: Invalid data found when processing input' }, code: 'STREAM_UNDECODABLE' },
    { name: 'invalid data at the socket timeout: silent port', over: { stderr: '[error] rtsp://h/x: Invalid data found when processing input', elapsedMs: 4100 }, code: 'CAMERA_TIMEOUT', phase: 'connect' },
    { name: 'clean exit, no error text: server ended the stream', over: { stderr: '[info] Input #0, rtsp', opened: true }, code: 'STREAM_ENDED' },
    { name: 'unknown error line', over: { stderr: '[error] something new' }, code: 'CAMERA_STREAM_FAILED' },
    { name: '503', over: { stderr: '[error] method SETUP failed: 503 Service Unavailable' }, code: 'CAMERA_STREAM_FAILED' },
  ])('$name -> $code', ({ over, code, ...rest }) => {
    const err = failureOfRun(ctx, run(over));
    expect(err).toBeInstanceOf(CameraError);
    expect(err.code).toBe(code);
    if ('phase' in rest) expect(err).toMatchObject({ phase: rest.phase });
    expect(err.stderr).toBe(over.stderr);
  });

  it('frames received win: a StreamEndedError carrying them, the classified error as cause', () => {
    const err = failureOfRun(ctx, run({ frames: [frame], opened: true, stderr: '[error] rtsp://h/x: Connection timed out' }));
    expect(err).toBeInstanceOf(StreamEndedError);
    expect((err as StreamEndedError).frames).toEqual([frame]);
    expect((err.cause as CameraError).code).toBe('CAMERA_TIMEOUT');
  });
});
