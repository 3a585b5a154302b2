/**
 * Cuts ffmpeg's rawvideo stdout (packed RGB24, frames back to back) into whole frames. Bytes that
 * arrive before the frame size is known are held until `setSize`.
 */
import type { RgbFrame } from '../models/preprocess/frame.ts';

/** Collects up to `maxFrames` frames; bytes past the last wanted frame are counted and dropped. */
export class FrameSlicer {
  /** Frames completed so far, in order. */
  readonly frames: RgbFrame[] = [];
  /** Every byte pushed, wanted or not. */
  bytesRead = 0;
  private width = 0;
  private height = 0;
  private pending: Buffer[] = [];
  private current: Buffer | undefined;
  private filled = 0;

  /** `onFrame` is called synchronously as each frame completes, with its index. */
  constructor(
    private readonly maxFrames: number,
    private readonly onFrame: (frame: RgbFrame, index: number) => void = () => {},
  ) {}

  /** The frame size in pixels; known sizes are final (a second call with another size throws). */
  setSize(width: number, height: number): void {
    if (this.width !== 0) {
      if (width !== this.width || height !== this.height) throw new Error(`frame size changed from ${this.width}x${this.height} to ${width}x${height}`);
      return;
    }
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new RangeError(`bad frame size ${width}x${height}`);
    this.width = width;
    this.height = height;
    const held = this.pending;
    this.pending = [];
    for (const chunk of held) this.cut(chunk);
  }

  /** True once the frame size is known. */
  get sized(): boolean {
    return this.width !== 0;
  }

  /** True once `maxFrames` frames are complete. */
  get full(): boolean {
    return this.frames.length >= this.maxFrames;
  }

  /** Feeds the next chunk of stdout. */
  push(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    if (this.width === 0) this.pending.push(chunk);
    else this.cut(chunk);
  }

  private cut(chunk: Buffer): void {
    const frameBytes = this.width * this.height * 3;
    let offset = 0;
    while (offset < chunk.length && !this.full) {
      this.current ??= Buffer.allocUnsafe(frameBytes);
      const n = Math.min(frameBytes - this.filled, chunk.length - offset);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === frameBytes) {
        const frame: RgbFrame = { width: this.width, height: this.height, data: this.current };
        this.current = undefined;
        this.filled = 0;
        this.frames.push(frame);
        this.onFrame(frame, this.frames.length - 1);
      }
    }
  }
}
