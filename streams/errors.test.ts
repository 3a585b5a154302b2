import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CameraAuthError,
  CameraError,
  CameraNotFoundError,
  CameraRefusedError,
  CameraTimeoutError,
  StreamEndedError,
  UndecodableError,
  VisitAbortedError,
} from './errors.ts';
import { maskSecrets } from './mask-url.ts';

const PASSWORD = 'hunter2!';
const ctx = { cameraId: 'cam-12', url: `rtsp://admin:${PASSWORD}@10.0.0.5:554/live` };
const frame = { width: 1, height: 1, data: new Uint8Array(3) };
const stderr = maskSecrets(`[error] ${ctx.url}: Connection refused`, ctx);

const ERRORS = [
  new CameraRefusedError(ctx, 'connection refused', { stderr, cause: new Error(stderr) }),
  new CameraAuthError(ctx, 'credentials rejected (RTSP 401)', { status: 401, stderr }),
  new CameraNotFoundError(ctx, 'no stream at this path'),
  new CameraTimeoutError(ctx, 'connect', 3000, { frames: [frame] }),
  new StreamEndedError(ctx, [frame], 3),
  new UndecodableError(ctx, 'no video'),
  new VisitAbortedError(ctx, 'visit aborted'),
];

describe('camera errors', () => {
  it('says which camera and what happened, with the URL masked', () => {
    expect(ERRORS[0]!.message).toBe('camera cam-12 (rtsp://***:***@10.0.0.5:554/live): connection refused');
    expect(ERRORS[0]!.url).toBe('rtsp://***:***@10.0.0.5:554/live');
    expect(ERRORS[3]!.message).toBe('camera cam-12 (rtsp://***:***@10.0.0.5:554/live): connect timeout: stream not opened (no RTSP answer, or no first packet) within 3000 ms');
    expect(ERRORS[4]!.message).toContain('stream ended after 1 of 3 frames');
  });

  it.each(ERRORS.map((e) => ({ e, name: e.name })))('$name leaks no credential in any rendering', ({ e }) => {
    const renderings = [e.message, String(e), e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e.toJSON())];
    for (const text of renderings) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('admin');
    }
  });

  it('has stable codes, the failure kind and the base class', () => {
    expect(ERRORS.map((e) => [e.code, e.failure])).toEqual([
      ['CAMERA_REFUSED', 'transient'],
      ['CAMERA_AUTH_FAILED', 'config'],
      ['CAMERA_NOT_FOUND', 'config'],
      ['CAMERA_TIMEOUT', 'transient'],
      ['STREAM_ENDED', 'transient'],
      ['STREAM_UNDECODABLE', 'transient'],
      ['VISIT_ABORTED', 'local'],
    ]);
    for (const e of ERRORS) {
      expect(e).toBeInstanceOf(CameraError);
      expect(e.cameraId).toBe('cam-12');
      expect(e.name).toBe(e.constructor.name);
    }
  });

  it('keeps received frames on the error but out of JSON', () => {
    const ended = ERRORS[4] as StreamEndedError;
    expect(ended.frames).toEqual([frame]);
    expect(ended.framesReceived).toBe(1);
    expect(JSON.parse(JSON.stringify(ended))).toEqual({
      name: 'StreamEndedError',
      code: 'STREAM_ENDED',
      failure: 'transient',
      cameraId: 'cam-12',
      url: 'rtsp://***:***@10.0.0.5:554/live',
      message: ended.message,
      framesReceived: 1,
      framesWanted: 3,
    });
    expect((ERRORS[3] as CameraTimeoutError).frames).toHaveLength(1);
    expect(JSON.stringify(ERRORS[3])).toContain('"phase":"connect"');
  });
});
