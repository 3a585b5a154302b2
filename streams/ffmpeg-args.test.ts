import { describe, expect, it } from 'vitest';
import { baselineArgs, evidenceOutputArgs, globalArgs, rawVideoOutputArgs, rtspInputArgs, scaleFilter, spacingFilter } from './ffmpeg-args.ts';

/** The value following `flag` in `args`. */
const valueOf = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};

describe('globalArgs', () => {
  it('never reads stdin and tags log lines with their level', () => {
    expect(globalArgs()).toEqual(['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+info']);
  });
});

describe('rtspInputArgs', () => {
  it('defaults: TCP, socket timeout in microseconds, fast probing, all frames decoded on one thread', () => {
    expect(rtspInputArgs({ socketTimeoutMs: 3000 })).toEqual(['-rtsp_transport', 'tcp', '-timeout', '3000000', '-probesize', '32', '-analyzeduration', '0', '-threads', '1']);
  });
  it('keyframes only, ffmpeg-chosen decoder threads, default probing, UDP', () => {
    const args = rtspInputArgs({ socketTimeoutMs: 1500.4, keyframesOnly: true, decoderThreads: 0, fastStart: false, transport: 'udp' });
    expect(args).toEqual(['-rtsp_transport', 'udp', '-timeout', '1500400', '-skip_frame', 'nokey']);
  });
  it('never uses the options ffmpeg 5.1 dropped or rejects for RTSP', () => {
    const args = rtspInputArgs({ socketTimeoutMs: 1000, keyframesOnly: true });
    for (const bad of ['-stimeout', '-rw_timeout', '-listen_timeout']) expect(args).not.toContain(bad);
  });
});

describe('scaleFilter / spacingFilter', () => {
  it.each([
    { w: 640, h: 640, want: 'scale=640:640:flags=bilinear' },
    { w: 1280, h: 0, want: 'scale=1280:-2:flags=bilinear' },
    { w: 0, h: 360, want: 'scale=-2:360:flags=bilinear' },
    { w: 0, h: 0, want: undefined },
  ])('scale $w x $h', ({ w, h, want }) => {
    expect(scaleFilter(w, h)).toBe(want);
  });
  it('select keeps the first frame, then frames at least the spacing apart, with the comma escaped', () => {
    expect(spacingFilter(500)).toBe('select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,0.500)');
    expect(spacingFilter(1234)).toContain('\\,1.234)');
  });
});

describe('rawVideoOutputArgs', () => {
  it('selects by spacing before scaling, passes frames through, rgb24 raw with one encoder thread', () => {
    const args = rawVideoOutputArgs({ width: 640, height: 360, frames: 3, spacingMs: 500 });
    expect(valueOf(args, '-vf')).toBe(`${spacingFilter(500)},scale=640:360:flags=bilinear`);
    expect(valueOf(args, '-fps_mode')).toBe('passthrough');
    expect(valueOf(args, '-frames:v')).toBe('3');
    expect(valueOf(args, '-threads')).toBe('1');
    expect(valueOf(args, '-pix_fmt')).toBe('rgb24');
    expect(args.slice(-2)).toEqual(['-f', 'rawvideo']);
    expect(args).not.toContain('-r');
  });
  it('no filter at all for consecutive frames at source size', () => {
    const args = rawVideoOutputArgs({ width: 0, height: 0, frames: 1, spacingMs: 0 });
    expect(args).not.toContain('-vf');
  });
});

describe('evidenceOutputArgs', () => {
  it('one full-resolution JPEG of the first frame; later frames dropped before any conversion', () => {
    const args = evidenceOutputArgs(4);
    expect(valueOf(args, '-frames:v')).toBe('1');
    expect(valueOf(args, '-q:v')).toBe('4');
    expect(valueOf(args, '-f')).toBe('image2');
    expect(valueOf(args, '-vf')).toBe('select=eq(n\\,0)');
  });
});

describe('baselineArgs', () => {
  it('is what a visit looks like without tuning: default probing, fps filter', () => {
    const b = baselineArgs({ socketTimeoutMs: 2000, width: 640, height: 360, frames: 2, spacingMs: 500 });
    expect(b.input).toEqual(['-rtsp_transport', 'tcp', '-timeout', '2000000']);
    expect(valueOf(b.output, '-vf')).toBe('fps=1000/500,scale=640:360:flags=bicubic');
  });
});
