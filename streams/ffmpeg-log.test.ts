import { describe, expect, it } from 'vitest';
import { FfmpegLogParser } from './ffmpeg-log.ts';

// Real ffmpeg 5.1 output (level+info) of a visit with a scaled raw output and an evidence JPEG.
const LOG = `[rtsp @ 0x55e9c31f2c40] [warning] Stream #0: not enough frames to estimate rate; consider increasing probesize
[info] Input #0, rtsp, from 'rtsp://127.0.0.1:18554/gop4':
[info]   Metadata:
[info]     title           : Session streamed with GStreamer
[info]   Duration: N/A, bitrate: N/A
[info]   Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(tv, smpte170m, progressive), 640x360 [SAR 1:1 DAR 16:9], 25 tbr, 90k tbn
[info] Stream mapping:
[info]   Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))
[info]   Stream #0:0 -> #1:0 (h264 (native) -> mjpeg (native))
[info] Output #0, rawvideo, to 'pipe:1':
[info]   Metadata:
[info]     encoder         : Lavf59.27.100
[info]   Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/smpte170m/smpte170m, progressive), 320x180 [SAR 1:1 DAR 16:9], q=2-31, 2764 kb/s, 2 fps, 2 tbn
[info] Output #1, image2, to 'ev.jpg':
[info]   Stream #1:0: Video: mjpeg, yuvj420p(pc, smpte170m, progressive), 640x360 [SAR 1:1 DAR 16:9], q=2-31, 200 kb/s, 25 fps, 25 tbn`;

describe('FfmpegLogParser', () => {
  it('learns opened, the input size and each output size', () => {
    const p = new FfmpegLogParser();
    const changed = LOG.split('\n').map((l) => p.feed(l));
    expect(p.opened).toBe(true);
    expect(p.inputSize).toEqual({ width: 640, height: 360 });
    expect(p.outputSizes.get(0)).toEqual({ width: 320, height: 180 });
    expect(p.outputSizes.get(1)).toEqual({ width: 640, height: 360 });
    expect(changed.filter(Boolean)).toHaveLength(4);
  });

  it('ignores a size-less input stream line and the stream mapping', () => {
    const p = new FfmpegLogParser();
    p.feed('[info] Input #0, rtsp, from \'rtsp://h/x\':');
    p.feed('[info]   Stream #0:0: Video: h264, none, 90k tbr, 90k tbn');
    p.feed('[info]   Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))');
    expect(p.opened).toBe(true);
    expect(p.inputSize).toBeUndefined();
  });

  it('reads untagged lines too', () => {
    const p = new FfmpegLogParser();
    p.feed('Output #0, rawvideo, to \'pipe:1\':');
    p.feed('  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24, 1920x1080, q=2-31');
    expect(p.outputSizes.get(0)).toEqual({ width: 1920, height: 1080 });
    expect(p.opened).toBe(false);
  });
});
