import cliProgress from 'cli-progress';
import type { EpochRecord } from '../../models/training/checkpoint.ts';
import type { HeadScore } from '../../models/training/head-evaluation.ts';
import type { TrainEvents } from '../../models/training/train-detector.ts';

const STAGE_LABEL = { 'cache-train': 'caching features (train)', 'cache-val': 'caching features (val)  ', train: 'epoch' } as const;

const fmt = (v: number | null | undefined): string => (v === null || v === undefined || v < 0 ? '  -  ' : v.toFixed(3));

/** One line per finished epoch: loss, learning rate, val AP50 and mAP, and AP50 per class. */
export function epochLine(r: EpochRecord, s: HeadScore | null, epochs: number): string {
  const perClass = s ? `  (${s.perClass.map((c) => `${c.name} ${fmt(c.ap50)}`).join(', ')})` : '';
  return `epoch ${r.epoch}/${epochs}  loss ${r.loss.toFixed(4)}  lr ${r.learningRate.toExponential(2)}  val AP50 ${fmt(r.valAp50)}  mAP ${fmt(r.valMap)}  ${r.seconds.toFixed(1)} s${perClass}\n`;
}

/**
 * Progress on stderr: a bar per stage (feature caching, each epoch) with the running loss when
 * stderr is a terminal, and in any case one line per finished epoch with its validation AP.
 */
export function stderrTrainEvents(epochs: number): TrainEvents & { stop(): void } {
  const stream = process.stderr;
  let bar: cliProgress.SingleBar | undefined;
  let epoch = 0;
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    resumed: (e) => {
      epoch = e;
      stream.write(`resuming after epoch ${e}\n`);
    },
    stage: (name, total) => {
      stop();
      const label = name === 'train' ? `epoch ${++epoch}/${epochs}` : STAGE_LABEL[name];
      if (!stream.isTTY) {
        if (name !== 'train') stream.write(`${label}: ${total} images\n`);
        return;
      }
      bar = new cliProgress.SingleBar(
        { stream, format: `${label} [{bar}] {value}/{total} | loss {loss} | {duration_formatted} elapsed, eta {eta_formatted}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { loss: '-' });
    },
    tick: (loss) => bar?.increment(1, { loss: loss === undefined ? '-' : loss.toFixed(4) }),
    epoch: (record, score) => {
      stop();
      stream.write(epochLine(record, score, epochs));
    },
    stop,
  };
}
