/**
 * Splits text arriving in chunks into lines (`\n`, `\r\n` or a lone `\r`, as ffmpeg's progress
 * lines end), the way fluent-ffmpeg reports ffmpeg's stderr line by line.
 */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  /** Adds text; every complete line is reported at once. */
  push(text: string): void {
    const parts = (this.rest + text).split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    for (const line of parts) if (line.length > 0) this.onLine(line);
  }

  /** The stream ended: reports an unterminated last line. */
  end(): void {
    if (this.rest.length > 0) this.onLine(this.rest);
    this.rest = '';
  }
}
