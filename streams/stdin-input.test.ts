import { describe, expect, it } from 'vitest';
import { rtspInputArgs } from './ffmpeg-args.ts';
import { CAMERA_PROTOCOL_WHITELIST, quoteToken, stdinInput } from './stdin-input.ts';

describe('stdinInput', () => {
  const url = 'rtsp://demo:p%40ss%3Aw0rd@10.0.0.5:554/live';

  it('puts the URL and the demuxer options in the script and nothing secret on the command line', () => {
    const { args, script } = stdinInput(url, rtspInputArgs({ socketTimeoutMs: 3000, keyframesOnly: true }));
    expect(args.join(' ')).not.toContain('p%40ss');
    expect(args.join(' ')).not.toContain('10.0.0.5');
    expect(args).toEqual(['-f', 'concat', '-safe', '0', '-protocol_whitelist', CAMERA_PROTOCOL_WHITELIST, '-probesize', '32', '-analyzeduration', '0', '-skip_frame', 'nokey', '-threads', '1']);
    expect(script).toBe(
      [
        'ffconcat version 1.0',
        `file '${url}'`,
        "option rtsp_transport 'tcp'",
        "option timeout '3000000'",
        "option probesize '32'",
        "option analyzeduration '0'",
        '',
      ].join('\n'),
    );
  });

  it('never lets a URL open local files', () => {
    expect(CAMERA_PROTOCOL_WHITELIST.split(',')).not.toContain('file');
  });

  it('quotes single quotes the way av_get_token reads them', () => {
    expect(quoteToken("a'b")).toBe("'a'\\''b'");
    expect(stdinInput("rtsp://u:it's@h/x", []).script).toContain("file 'rtsp://u:it'\\''s@h/x'");
  });

  it('refuses a URL with a line break without echoing it', () => {
    expect(() => stdinInput('rtsp://u:secret\n@h/x', [])).toThrow(RangeError);
    expect(() => stdinInput('rtsp://u:secret\n@h/x', [])).not.toThrow(/secret/);
  });
});
