/**
 * Follows ffmpeg's info-level stderr line by line to learn what a visit needs before the first
 * frame can be cut: when the input was opened, the source picture size and each output's size.
 * ffmpeg prints the `Output #k` header only after the first frame went through the filters, so
 * output sizes are the real ones even when the source size was not in the SDP.
 */

/** A picture size in pixels. */
export interface PictureSize {
  readonly width: number;
  readonly height: number;
}

/** What the log said so far. */
export interface FfmpegLogState {
  /** ffmpeg printed `Input #0`: the RTSP session is set up and the stream probed. */
  readonly opened: boolean;
  /** The first video stream's size as the input reported it (from the SDP / first packets). */
  readonly inputSize: PictureSize | undefined;
  /** The video size of each output, by output index. */
  readonly outputSizes: ReadonlyMap<number, PictureSize>;
}

const PREFIXES = /^(?:\s*\[[^\]]*\])+ ?/;
const SECTION = /^(Input|Output) #(\d+)/;
const VIDEO_STREAM = /^\s*Stream #(\d+):\d+.*?: Video: .*?, (\d{1,5})x(\d{1,5})(?=[\s,[]|$)/;

/** Incremental parser; feed it whole lines. */
export class FfmpegLogParser implements FfmpegLogState {
  opened = false;
  inputSize: PictureSize | undefined = undefined;
  readonly outputSizes = new Map<number, PictureSize>();
  private section: 'Input' | 'Output' | undefined;

  /** Parses one stderr line; returns true when it changed the state. */
  feed(rawLine: string): boolean {
    const line = rawLine.replace(PREFIXES, '');
    const sec = SECTION.exec(line);
    if (sec) {
      this.section = sec[1] as 'Input' | 'Output';
      if (this.section === 'Input' && !this.opened) {
        this.opened = true;
        return true;
      }
      return false;
    }
    const vs = VIDEO_STREAM.exec(line);
    if (!vs || this.section === undefined) return false;
    const size = { width: Number(vs[2]), height: Number(vs[3]) };
    if (size.width === 0 || size.height === 0) return false;
    if (this.section === 'Input') {
      if (this.inputSize) return false;
      this.inputSize = size;
    } else {
      const index = Number(vs[1]);
      if (this.outputSizes.has(index)) return false;
      this.outputSizes.set(index, size);
    }
    return true;
  }
}
