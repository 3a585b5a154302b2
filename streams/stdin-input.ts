/**
 * Hands the camera URL (and so its credentials) to ffmpeg through its stdin instead of its
 * command line: ffmpeg reads a one-entry ffconcat script from `pipe:0` with the concat demuxer,
 * whose `file` line carries the URL and whose `option` lines carry the RTSP demuxer options.
 * `ps` and `/proc/PID/cmdline` (readable by every local user) then show `-i pipe:0` and no
 * secret; nothing is written to disk. Pure; no I/O.
 *
 * Measured (scripts/bench/credentials-first-frame.ts, paired visits to the same live stream):
 * the first frame comes as fast as with the URL on the command line; see the README.
 *
 * Options that open the stream (`-rtsp_transport`, `-timeout`, `-probesize`, `-analyzeduration`)
 * must reach the inner RTSP demuxer, so they go into the script; `-probesize`/`-analyzeduration`
 * are kept on the outer (concat) input too so that its own probing stops after one packet as
 * well. Decoder options (`-threads`, `-skip_frame`) stay on the command line: they apply to the
 * decoder, not to a demuxer.
 */

/**
 * Protocols ffmpeg may use for a camera URL read from the script: RTSP (with RTP, TCP, UDP, TLS)
 * and HTTP(S) streams. `file` is not among them, so a URL can never make ffmpeg read a local file.
 */
export const CAMERA_PROTOCOL_WHITELIST = 'pipe,rtsp,rtsps,rtp,srtp,tcp,udp,tls,http,https,httpproxy';

/** Input options that belong to the stream's demuxer and so move into the script. */
const DEMUXER_OPTIONS = new Set(['rtsp_transport', 'timeout', 'probesize', 'analyzeduration']);
/** Demuxer options also given to the concat demuxer itself. */
const OUTER_TOO = new Set(['probesize', 'analyzeduration']);

/** What replaces `-i <url>`: the input arguments and the script to write to ffmpeg's stdin. */
export interface StdinInput {
  /** ffmpeg input options; the input itself is `pipe:0`. */
  readonly args: string[];
  /** The ffconcat script (holds the secret: never log it). */
  readonly script: string;
}

/** `value` quoted for an ffconcat token (`av_get_token`: no escapes inside single quotes). */
export function quoteToken(value: string): string {
  return `'${value.split("'").join("'\\''")}'`;
}

/** True when `url` holds a control character (a line break would end the script's line); a valid URL has none. */
export function hasControlCharacter(url: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(url);
}

/**
 * Splits `inputArgs` (flag/value pairs as `rtspInputArgs` makes them) into the script and the
 * command line. Throws a RangeError (naming no secret) when the URL holds a line break or
 * another control character, which the line-based script cannot carry.
 */
export function stdinInput(url: string, inputArgs: readonly string[]): StdinInput {
  if (hasControlCharacter(url)) throw new RangeError('camera URL holds a control character');
  const outer: string[] = ['-f', 'concat', '-safe', '0', '-protocol_whitelist', CAMERA_PROTOCOL_WHITELIST];
  const lines = ['ffconcat version 1.0', `file ${quoteToken(url)}`];
  for (let i = 0; i < inputArgs.length; i += 2) {
    const flag = inputArgs[i]!;
    const value = inputArgs[i + 1];
    if (value === undefined) throw new RangeError(`input option ${flag} has no value`);
    const key = flag.replace(/^-/, '');
    if (DEMUXER_OPTIONS.has(key)) {
      lines.push(`option ${key} ${quoteToken(value)}`);
      if (OUTER_TOO.has(key)) outer.push(flag, value);
    } else {
      outer.push(flag, value);
    }
  }
  return { args: outer, script: `${lines.join('\n')}\n` };
}
