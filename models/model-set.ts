import { Detector } from './detector.ts';
import { DetectorPool } from './detector-pool.ts';
import type { FrameDetector } from './frame-detector.ts';
import type { ModelCard } from './model-card.ts';

/**
 * Every model a worker runs, each loaded once per detector process: in a `DetectorPool` (each of
 * its processes holds one session per model), or on the main thread with `processes: 0`.
 */
export interface ModelSet {
  readonly cards: readonly ModelCard[];
  /** Frames one model can work on at once. */
  readonly concurrency: number;
  /**
   * The model with this card id as a FrameDetector.
   * @throws RangeError naming the loaded models when there is none with this id.
   */
  get(id: string): FrameDetector;
  /** Stops the processes (or sessions). Safe to call twice. */
  close(): Promise<void>;
}

/** Main-thread sessions, one per model. */
class MainThreadModels implements ModelSet {
  private closing: Promise<void> | undefined;
  readonly concurrency = 1;

  constructor(private readonly detectors: ReadonlyMap<string, Detector>) {}

  get cards(): ModelCard[] {
    return [...this.detectors.values()].map((d) => d.card);
  }

  get(id: string): FrameDetector {
    const d = this.detectors.get(id);
    if (!d) throw new RangeError(`no model "${id}" loaded (loaded: ${[...this.detectors.keys()].join(', ')})`);
    return d;
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.detectors.values()].map((d) => d.close())).then(() => undefined);
    return this.closing;
  }
}

/** A pool of processes, each with every model. */
class PooledModels implements ModelSet {
  constructor(private readonly pool: DetectorPool) {}

  get cards(): readonly ModelCard[] {
    return this.pool.cards;
  }

  get concurrency(): number {
    return this.pool.concurrency;
  }

  get(id: string): FrameDetector {
    return this.pool.model(id);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * Loads each card once: `processes` detector processes holding every model, or (0) one
 * main-thread session per model.
 * @throws RangeError when no card is given or two cards share an id; model errors as Detector.load.
 */
export async function loadModelSet(cards: readonly ModelCard[], options: { readonly processes: number; readonly nice?: number }): Promise<ModelSet> {
  if (cards.length === 0) throw new RangeError('no model to load');
  const ids = cards.map((c) => c.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new RangeError(`two model cards have the id "${twice}"`);
  if (options.processes > 0) return new PooledModels(await DetectorPool.load(cards, { processes: options.processes, ...(options.nice !== undefined ? { nice: options.nice } : {}) }));
  const loaded = new Map<string, Detector>();
  try {
    for (const card of cards) loaded.set(card.id, await Detector.load(card));
  } catch (err) {
    await Promise.allSettled([...loaded.values()].map((d) => d.close()));
    throw err;
  }
  return new MainThreadModels(loaded);
}
