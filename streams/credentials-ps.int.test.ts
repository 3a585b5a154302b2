import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraStreamUrl } from '../pipeline/config/camera-url.ts';
import { type RtspTestServer, startRtspServer } from '../test-fixtures/lib/rtsp-server.ts';
import type { CameraSource } from './camera-source.ts';
import { prepareFfmpeg, visitCamera } from './visit.ts';
import type { VisitOptions, VisitPlan } from './visit-plan.ts';

const plan: VisitPlan = { frames: 2, spacingMs: 200, outWidth: 320, outHeight: 240, evidence: true, timeouts: { connectMs: 8_000, firstFrameMs: 8_000, visitMs: 15_000 } };

/** What any local user can see of a running ffmpeg: `ps` for every process and its /proc cmdline. */
interface Seen {
  readonly ps: string;
  readonly cmdline: string;
  readonly environMode: number;
}

/** Visits and, the moment ffmpeg runs, looks at it the way another local user would. */
async function visitAndLook(source: CameraSource, options: VisitOptions = {}): Promise<{ seen: Seen; frames: number }> {
  let seen: Seen | undefined;
  const result = await visitCamera(source, plan, undefined, {
    ...options,
    onSpawn: (pid) => {
      seen = {
        ps: execFileSync('ps', ['-eo', 'pid,args', 'ww'], { encoding: 'utf8' }),
        cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '),
        environMode: statSync(`/proc/${pid}/environ`).mode & 0o777,
      };
    },
  });
  if (!seen) throw new Error('ffmpeg was never seen running');
  return { seen, frames: result.frames.length };
}

function expectNoSecret(seen: Seen, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(seen.ps).not.toContain(secret);
    expect(seen.cmdline).not.toContain(secret);
  }
}

describe('camera credentials never reach ffmpeg command lines', () => {
  let rtsp: RtspTestServer;
  beforeAll(async () => {
    [rtsp] = await Promise.all([startRtspServer(), prepareFfmpeg()]);
  });
  afterAll(async () => {
    await rtsp?.close();
  });

  it('URL-embedded credentials: frames come, ps and /proc/PID/cmdline show pipe:0 and no password', async () => {
    const auth = rtsp.auth!;
    const { seen, frames } = await visitAndLook({ id: 'cam-sec', url: rtsp.url(auth.path, auth) });
    expect(frames).toBe(2);
    expect(seen.cmdline).toContain('pipe:0');
    expectNoSecret(seen, [auth.password, encodeURIComponent(auth.password), `127.0.0.1:${rtsp.port}/${auth.path}`]);
  });

  it('passwordEnv credentials: the same, and ffmpeg environment is readable by its owner only', async () => {
    const auth = rtsp.auth!;
    const env = { GW_TEST_CAMERA_PASSWORD: auth.password };
    const url = cameraStreamUrl({ id: 'cam-env', url: rtsp.url(auth.path), username: auth.user, passwordEnv: 'GW_TEST_CAMERA_PASSWORD' }, 'main', env)!;
    const { seen, frames } = await visitAndLook({ id: 'cam-env', url });
    expect(frames).toBe(2);
    expectNoSecret(seen, [auth.password, encodeURIComponent(auth.password)]);
    // /proc/PID/environ: owner read only (what the README promises about passwordEnv).
    expect(seen.environMode).toBe(0o400);
  });

  it('the check can fail: with the URL on the command line (benchmark mode) ps shows the password', async () => {
    const auth = rtsp.auth!;
    const { seen } = await visitAndLook({ id: 'cam-sec', url: rtsp.url(auth.path, auth) }, { urlOnCommandLine: true });
    expect(seen.cmdline).toContain(encodeURIComponent(auth.password));
  });
});
