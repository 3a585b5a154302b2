import { Detector } from './detector.ts';
import { DetectorPool } from './detector-pool.ts';
import type { FrameDetector } from './frame-detector.ts';
import type { ModelCard } from './model-card.ts';

/**
 * Every model a worker runs, each loaded once per detector process: in a `DetectorPool` (each of
 * its processes holds one session per model), or on the main thread with `processes: 0`. Models
 * come and go while it runs (a config reload names new ones, drops others); it may hold none.
 */
export interface ModelSet {
  readonly cards: readonly ModelCard[];
  /** Frames one model can work on at once. */
  readonly concurrency: number;
  /** Process ids of the detector processes (none on the main thread, or while no model is loaded). */
  readonly pids: readonly number[];
  /** Whether a model with this card id is loaded. */
  has(id: string): boolean;
  /**
   * The model with this card id as a FrameDetector.
   * @throws RangeError naming the loaded models when there is none with this id.
   */
  get(id: string): FrameDetector;
  /**
   * Loads one more model (a card with a loaded id replaces that model); the others keep running.
   * @throws the model's typed error (as Detector.load) and leaves the set as it was.
   */
  add(card: ModelCard): Promise<void>;
  /**
   * Drops a model, draining it: from the drop on, detect calls on it (through a FrameDetector
   * got before) are refused with ModelDroppedError; the calls made before finish normally, and
   * the promise resolves once they have and the model is released. Adding the same model while
   * it drains works (it is loaded again). Unknown ids are ignored.
   */
  remove(id: string): Promise<void>;
  /**
   * Stops the processes (or sessions), after the adds and drops in progress. In detector
   * processes it cancels: calls queued or in flight are rejected with DetectorProcessError
   * ("closed"). On the main thread it waits for the calls already made (a session is never
   * released under a run) and refuses new ones (ModelDroppedError). Safe to call twice.
   */
  close(): Promise<void>;
}

const missing = (id: string, loaded: Iterable<string>): RangeError => new RangeError(`no model "${id}" loaded (loaded: ${[...loaded].join(', ') || 'none'})`);

/** Main-thread sessions, one per model. */
class MainThreadModels implements ModelSet {
  private closing: Promise<void> | undefined;
  readonly concurrency = 1;
  readonly pids: readonly number[] = [];

  constructor(private readonly detectors: Map<string, Detector>) {}

  get cards(): ModelCard[] {
    return [...this.detectors.values()].map((d) => d.card);
  }

  has(id: string): boolean {
    return this.detectors.has(id);
  }

  get(id: string): FrameDetector {
    const d = this.detectors.get(id);
    if (!d) throw missing(id, this.detectors.keys());
    return d;
  }

  async add(card: ModelCard): Promise<void> {
    const d = await Detector.load(card);
    const before = this.detectors.get(card.id);
    this.detectors.set(card.id, d);
    await before?.close();
  }

  async remove(id: string): Promise<void> {
    const d = this.detectors.get(id);
    this.detectors.delete(id);
    // Drains: the calls already made finish, later ones are refused; a re-add loads a new session meanwhile.
    await d?.close();
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.detectors.values()].map((d) => d.close())).then(() => undefined);
    return this.closing;
  }
}

/**
 * A pool of processes, each with every model. The pool starts with the first model and stops
 * when the last one goes: no processes while nothing is named.
 */
class PooledModels implements ModelSet {
  private pool: DetectorPool | undefined;
  /** Adds and removes one at a time: starting or stopping the pool is one of them. */
  private changes: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly processes: number,
    private readonly nice: number,
    pool?: DetectorPool,
  ) {
    this.pool = pool;
  }

  get cards(): readonly ModelCard[] {
    return this.pool?.cards ?? [];
  }

  get concurrency(): number {
    return this.processes;
  }

  get pids(): readonly number[] {
    return this.pool?.pids ?? [];
  }

  has(id: string): boolean {
    return this.cards.some((c) => c.id === id);
  }

  get(id: string): FrameDetector {
    if (!this.pool || !this.has(id)) throw missing(id, this.cards.map((c) => c.id));
    return this.pool.model(id);
  }

  add(card: ModelCard): Promise<void> {
    return this.change(async () => {
      if (this.closing) throw new RangeError('the model set is closed');
      if (this.pool) await this.pool.addModel(card);
      else this.pool = await DetectorPool.load(card, { processes: this.processes, nice: this.nice });
    });
  }

  remove(id: string): Promise<void> {
    return this.change(async () => {
      const pool = this.pool;
      if (!pool || !this.has(id)) return;
      if (pool.cards.length > 1) return pool.removeModel(id);
      // The last model: its frames finish before the processes stop (closing alone would cancel them).
      this.pool = undefined;
      await pool.drain(id);
      await pool.close();
    });
  }

  private change(step: () => Promise<void>): Promise<void> {
    const run = this.changes.then(step);
    this.changes = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    this.closing ??= this.changes.then(() => this.pool?.close());
    return this.closing;
  }
}

/**
 * Loads each card once: `processes` detector processes holding every model, or (0) one
 * main-thread session per model. No card: an empty set, models are added later.
 * @throws RangeError when two cards share an id; model errors as Detector.load.
 */
export async function loadModelSet(cards: readonly ModelCard[], options: { readonly processes: number; readonly nice?: number }): Promise<ModelSet> {
  const ids = cards.map((c) => c.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new RangeError(`two model cards have the id "${twice}"`);
  const nice = options.nice ?? 0;
  if (options.processes > 0) return new PooledModels(options.processes, nice, cards.length ? await DetectorPool.load(cards, { processes: options.processes, nice }) : undefined);
  const loaded = new Map<string, Detector>();
  try {
    for (const card of cards) loaded.set(card.id, await Detector.load(card));
  } catch (err) {
    await Promise.allSettled([...loaded.values()].map((d) => d.close()));
    throw err;
  }
  return new MainThreadModels(loaded);
}
