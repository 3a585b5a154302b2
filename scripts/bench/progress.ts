import cliProgress from 'cli-progress';

/** Progress of one model over the dataset's images. */
export interface Progress {
  /** One more image done. */
  tick(): void;
  /** Finishes the bar (or the last line). Safe to call twice. */
  stop(): void;
  /** The model is loaded and its first image is about to start (benchmarks read CPU time here). */
  imagesStart?(): void;
  /** The last image is done, before the detector closes and accuracy is computed. */
  imagesEnd?(): void;
}

/** Makes a progress display for `total` images labelled `label`. */
export type ProgressFactory = (label: string, total: number) => Progress;

/** A display that shows nothing (for --json runs, tests, and library use). */
export const silentProgress: ProgressFactory = () => ({ tick: () => {}, stop: () => {} });

/**
 * A progress bar on stderr when stderr is a terminal; otherwise (CI logs, pipes) a line at every
 * tenth of the way, so logs stay readable.
 */
export function stderrProgress(label: string, total: number): Progress {
  const stream = process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} images | {duration_formatted} elapsed, eta {eta_formatted}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    let stopped = false;
    return {
      tick: () => bar.increment(),
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  let done = 0;
  let lastTenth = 0;
  return {
    tick: () => {
      done++;
      const tenth = Math.floor((done * 10) / Math.max(total, 1));
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${label}: ${tenth * 10}% (${done}/${total} images)\n`);
      }
    },
    stop: () => {},
  };
}
