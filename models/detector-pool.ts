/**
 * Inference off the event loop: a pool of detector processes, each with its own onnxruntime
 * session of the same model. `detect` sends the frame to a free process and resolves with its
 * detections; frames queue when every process is busy. With two or more processes the
 * preprocessing of one frame runs while another process is inside `session.run`, and the calling
 * thread only serialises bytes (a 416x416 RGB frame: well under 1 ms) instead of blocking ~35 ms
 * per frame.
 *
 * Processes rather than worker threads: the worker forks an ffmpeg per visit, and fork() copies
 * the page tables of the whole process while the event loop waits. Measured here: spawning
 * `true` took 2 ms from a bare Node process and 13 ms (47 ms with 300 MB more resident) once
 * two onnxruntime sessions lived in worker threads of the same process; at 8 visits in flight
 * that blocked the event loop for 65 ms a visit (CPU profile of the all-in-one process). Sessions
 * in child processes keep the patrol process small, so ffmpeg spawns stay cheap.
 */
import { availableParallelism } from 'node:os';
import { lowerPriority } from './lower-priority.ts';
import { fileURLToPath } from 'node:url';
import { type ChildProcess, fork } from 'node:child_process';
import type { DetectOptions, DetectResult } from './detector.ts';
import type { DetectFileRequest, DetectorInit, DetectorReply, DetectRequest, LoadModelRequest, WireError } from './detector-process-protocol.ts';
import {
  DecoderError,
  DetectorProcessError,
  ImageInputError,
  ModelCardError,
  ModelError,
  ModelIntegrityError,
  ModelDroppedError,
  ModelLoadError,
  ModelShapeError,
} from './errors.ts';
import type { FileDetectResult, FrameDetector } from './frame-detector.ts';
import { InFlight } from './in-flight.ts';
import type { ModelCard } from './model-card.ts';
import { assertRgbFrame, type RgbFrame } from './preprocess/frame.ts';

/** Options for {@link DetectorPool.load}. */
export interface DetectorPoolOptions {
  /** Detector processes, each running one inference at a time. Default: the cores this process may use. */
  readonly processes?: number;
  /** onnxruntime intra-op threads per process. Default 1 (the pool is the parallelism). */
  readonly sessionThreads?: number;
  /** Skip the sha256 check (cards built in code from an uncarded file). Default false. */
  readonly skipIntegrityCheck?: boolean;
  /**
   * Niceness added to each detector process over this process's own (capped at 19), so that this
   * process's event loop gets a core first when inference saturates them. Default 0.
   */
  readonly nice?: number;
}

/** Cores this process may use (`os.availableParallelism()`), the default pool size. */
export const availableCores = (): number => Math.max(1, availableParallelism());

const ENTRY = fileURLToPath(new URL('./detector-process-entry.mjs', import.meta.url));

const ERRORS: Record<string, new (message: string) => ModelError> = {
  MODEL_CARD_INVALID: ModelCardError,
  MODEL_INTEGRITY: ModelIntegrityError,
  MODEL_SHAPE_MISMATCH: ModelShapeError,
  MODEL_LOAD_FAILED: ModelLoadError,
  DECODER_UNSUPPORTED: DecoderError,
  IMAGE_INVALID: ImageInputError,
};

/** Rebuilds a typed error sent from a detector process (same class and code as there). */
function rebuild(e: WireError): ModelError {
  const Kind = ERRORS[e.code];
  return Kind ? new Kind(e.message) : new ModelError(e.message);
}

interface Job {
  readonly request: DetectRequest | DetectFileRequest;
  readonly resolve: (r: DetectResult | FileDetectResult) => void;
  readonly reject: (err: Error) => void;
}

/** A model load sent to one process, waiting for its answer. */
interface Control {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly child: ChildProcess;
  /** Sent and not answered yet, oldest first (the process answers in order). */
  readonly jobs: Job[];
  /** Model loads sent and not answered yet, by request id. */
  readonly controls: Map<number, Control>;
  ready: boolean;
}

/**
 * Frames handed to one process before it answers: with two, the process starts its next frame at
 * once instead of waiting for this process to be scheduled and send one (on a loaded machine that
 * round trip cost more than the IPC itself).
 */
const DEPTH = 2;

/** One model of a pool, as the patrol sees a detector: frames go to the pool's processes. Closing it is the pool's job. */
class PooledModel implements FrameDetector {
  constructor(
    private readonly pool: DetectorPool,
    readonly card: ModelCard,
  ) {}

  get concurrency(): number {
    return this.pool.concurrency;
  }

  detect(frame: RgbFrame, options?: DetectOptions): Promise<DetectResult> {
    return this.pool.detectWith(this.card.id, frame, options);
  }

  detectFile(path: string, options?: DetectOptions): Promise<FileDetectResult> {
    return this.pool.detectFileWith(this.card.id, path, options);
  }

  /** The pool owns the processes: closing one of its models does nothing. */
  async close(): Promise<void> {}
}

/**
 * A pool of detector processes for one or more models: every process loads each model once, and
 * each frame names the model it is for. Re-entrant: any number of `detect` calls at once. As a
 * FrameDetector it runs its first model; `model(id)` gives the others.
 *
 * Dropping a model drains it: from the drop on, its frames are refused (ModelDroppedError), the
 * frames accepted before (queued here or in a process) are answered normally, and only then do
 * the processes release it. Closing the pool cancels instead: frames queued or in flight are
 * rejected with DetectorProcessError ("closed"), which also ends any drain in progress.
 */
export class DetectorPool implements FrameDetector {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly views = new Map<string, PooledModel>();
  /** Detect calls accepted and not answered yet, per model. */
  private readonly inFlight = new InFlight();
  /** Models dropped (or draining) and not added again: their frames are refused by name. */
  private readonly dropped = new Set<string>();
  /** What a process started now loads: the models in service and those being added. */
  private initCards: ModelCard[];
  private nextId = 1;
  private closing: Promise<void> | undefined;
  /** Loads and unloads, one at a time (each goes to every process). */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(
    cards: readonly ModelCard[],
    private readonly options: Omit<DetectorInit, 'kind' | 'cards'>,
    private readonly processes: number,
    private readonly nice: number,
  ) {
    this.initCards = [...cards];
    for (const c of cards) this.views.set(c.id, new PooledModel(this, c));
  }

  /** The models in service, in the order they were loaded. */
  get cards(): readonly ModelCard[] {
    return [...this.views.values()].map((v) => v.card);
  }

  /** The first model (what `detect` runs). */
  get card(): ModelCard {
    const first = this.views.values().next();
    if (first.done) throw new RangeError('detector pool: no model left');
    return first.value.card;
  }

  /** Card ids, for messages. */
  private get name(): string {
    return [...this.views.keys()].join(' + ') || 'no model';
  }

  /**
   * Starts the processes and waits until each has loaded and verified every model.
   * @throws RangeError for a bad process count, no card, or two cards with one id.
   */
  static async load(cards: ModelCard | readonly ModelCard[], options: DetectorPoolOptions = {}): Promise<DetectorPool> {
    const list: readonly ModelCard[] = Array.isArray(cards) ? cards : [cards as ModelCard];
    const processes = options.processes ?? availableCores();
    if (!Number.isInteger(processes) || processes < 1 || processes > 64) throw new RangeError(`detector pool: processes must be an integer 1-64, got ${processes}`);
    if (list.length === 0) throw new RangeError('detector pool: no model card given');
    const ids = list.map((c) => c.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) throw new RangeError(`detector pool: two model cards have the id "${twice}"`);
    const nice = options.nice ?? 0;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`detector pool: nice must be an integer 0-19, got ${nice}`);
    const pool = new DetectorPool(list, { sessionThreads: options.sessionThreads ?? 1, skipIntegrityCheck: options.skipIntegrityCheck ?? false }, processes, nice);
    try {
      await Promise.all(Array.from({ length: processes }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Detector processes running now. */
  get size(): number {
    return this.slots.length;
  }

  /** Process ids of the detector processes (benchmarks read their CPU time). */
  get pids(): number[] {
    return this.slots.flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid]));
  }

  /** Frames run at once: one per process. */
  get concurrency(): number {
    return this.processes;
  }

  /** Frames waiting for a free thread. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * One model of the pool as a FrameDetector (its frames go to this pool's processes).
   * @throws RangeError naming the loaded models when the pool has no model with this id.
   */
  model(id: string): FrameDetector {
    const view = this.views.get(id);
    if (!view) throw new RangeError(`detector pool: no model "${id}" (loaded: ${[...this.views.keys()].join(', ')})`);
    return view;
  }

  /**
   * Loads one more model into every process (a card with the id of a loaded model replaces it).
   * Frames of the other models go on meanwhile. On failure no process keeps it.
   * @throws the model's typed error (ModelIntegrityError, ModelLoadError, ...) as a process reports it; DetectorProcessError when the pool is closed or a process dies.
   */
  addModel(card: ModelCard): Promise<void> {
    return this.change(async () => {
      if (this.closing) throw new DetectorProcessError(`detector pool of ${this.name} is closed`);
      const before = this.initCards.find((c) => c.id === card.id);
      this.initCards = [...this.initCards.filter((c) => c.id !== card.id), card];
      const request = (): LoadModelRequest => ({ kind: 'load', id: this.nextId++, card });
      const results = await Promise.allSettled(this.slots.map((slot) => this.control(slot, request())));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        // Back to what was there: the previous card of this id, or none.
        this.initCards = this.initCards.filter((c) => c.id !== card.id).concat(before ? [before] : []);
        for (const slot of this.slots) slot.child.send(before ? { kind: 'load', id: this.nextId++, card: before } : { kind: 'unload', model: card.id });
        throw failed.reason as Error;
      }
      this.views.set(card.id, new PooledModel(this, card));
      this.dropped.delete(card.id);
    });
  }

  /**
   * Drops a model from every process: its new frames are refused (ModelDroppedError) from the
   * moment the loads and drops asked for before are done (at once when there are none); it
   * resolves once the frames accepted before the drop are answered (they finish normally) and
   * the processes have been told to release it. Adding the same model again while it drains
   * waits for the drain, then loads it afresh.
   * @throws RangeError when it is the pool's last model (drain it, then close the pool).
   */
  removeModel(id: string): Promise<void> {
    return this.change(async () => {
      if (!this.views.has(id)) return;
      if (this.views.size === 1) throw new RangeError(`detector pool: "${id}" is its last model; drain it, then close the pool`);
      await this.drainNow(id);
      // A process started from here on does not load it.
      this.initCards = this.initCards.filter((c) => c.id !== id);
      for (const slot of this.slots) slot.child.send({ kind: 'unload', model: id });
    });
  }

  /**
   * Stops taking frames for a model (they are refused with ModelDroppedError) and resolves once
   * the frames accepted before are answered. The processes keep the model loaded: this is for
   * the last model, before closing the pool; otherwise use {@link removeModel}.
   */
  drain(id: string): Promise<void> {
    return this.change(() => this.drainNow(id));
  }

  private async drainNow(id: string): Promise<void> {
    if (!this.views.delete(id)) return;
    this.dropped.add(id);
    await this.inFlight.idle(id);
  }

  /** Runs model loads, drops and drains one at a time (each goes to every process). */
  private change(step: () => Promise<void>): Promise<void> {
    const run = this.changes.then(step);
    this.changes = run.catch(() => undefined);
    return run;
  }

  /** Sends a model load to one process and waits for its answer. */
  private control(slot: Slot, request: LoadModelRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      slot.controls.set(request.id, { resolve, reject });
      slot.child.send(request, (err) => {
        if (err && slot.controls.delete(request.id)) reject(new DetectorProcessError(`cannot send a model to the detector process of ${this.name}: ${err.message}`, { cause: err }));
      });
    });
  }

  /** Detects objects in one frame with the pool's first model; boxes come back in the frame's pixels. */
  detect(frame: RgbFrame, options?: DetectOptions): Promise<DetectResult> {
    return this.detectWith(this.card.id, frame, options);
  }

  /** Detects objects in one frame with the model `modelId` in a pool process; boxes in the frame's pixels. */
  detectWith(modelId: string, frame: RgbFrame, options?: DetectOptions): Promise<DetectResult> {
    const refused = this.refusal(modelId);
    if (refused) return Promise.reject(refused);
    try {
      assertRgbFrame(frame);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    // Serialised when sent: the caller's frame is never shared.
    const data = frame.data;
    return this.submit<DetectResult>(modelId, { kind: 'detect', id: this.nextId++, model: modelId, width: frame.width, height: frame.height, data, ...(options ? { options } : {}) });
  }

  /**
   * Reads, decodes and detects one image file in a pool process with the first model: only the
   * path crosses the pipe and decoding runs in the processes, in parallel.
   * @throws ImageInputError naming the file when it is missing or will not decode (the process goes on serving).
   */
  detectFile(path: string, options?: DetectOptions): Promise<FileDetectResult> {
    return this.detectFileWith(this.card.id, path, options);
  }

  /** {@link detectFile} with the model `modelId`. */
  detectFileWith(modelId: string, path: string, options?: DetectOptions): Promise<FileDetectResult> {
    const refused = this.refusal(modelId);
    if (refused) return Promise.reject(refused);
    if (path.length === 0) return Promise.reject(new ImageInputError('detector pool: empty image file path'));
    return this.submit<FileDetectResult>(modelId, { kind: 'detect-file', id: this.nextId++, model: modelId, path, ...(options ? { options } : {}) });
  }

  /** Why a frame for `modelId` is not taken now (closed pool, dropped or unknown model), or undefined. */
  private refusal(modelId: string): Error | undefined {
    if (this.closing) return new DetectorProcessError(`detector pool of ${this.name} is closed`);
    if (this.dropped.has(modelId) && !this.views.has(modelId)) {
      return new ModelDroppedError(`detector pool: model "${modelId}" was dropped (a config reload no longer names it): no new frames are taken for it`);
    }
    if (!this.views.has(modelId)) return new DetectorProcessError(`detector pool of ${this.name} has no model "${modelId}"`);
    return undefined;
  }

  /** Queues a request; counted until answered, so a drop of its model waits for it. */
  private submit<R extends DetectResult>(modelId: string, request: DetectRequest | DetectFileRequest): Promise<R> {
    return this.inFlight.track(
      modelId,
      () =>
        new Promise<R>((resolve, reject) => {
          // The reply kind matches the request kind ('file-result' for 'detect-file'), so R is what arrives.
          this.queue.push({ request, resolve: resolve as (r: DetectResult | FileDetectResult) => void, reject });
          this.pump();
        }),
    );
  }

  private pump(): void {
    // Fill every process to one frame first, then to DEPTH: spread before queueing deeper.
    for (let depth = 1; depth <= DEPTH; depth++) {
      for (const slot of this.slots) {
        if (!slot.ready || slot.jobs.length >= depth) continue;
        const job = this.queue.shift();
        if (!job) return;
        slot.jobs.push(job);
        slot.child.send(job.request, (err) => {
          const i = slot.jobs.indexOf(job);
          if (err && i >= 0) {
            slot.jobs.splice(i, 1);
            job.reject(new DetectorProcessError(`cannot send a frame to the detector process of ${this.name}: ${err.message}`, { cause: err }));
          }
        });
      }
    }
  }

  private spawn(): Promise<void> {
    // No inherited execArgv (a profiler or a test runner's loader); stdout unused, stderr shared.
    const child = fork(ENTRY, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const slot: Slot = { child, jobs: [], controls: new Map(), ready: false };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (!this.slots.includes(slot)) return;
        this.remove(slot);
        for (const job of slot.jobs.splice(0)) job.reject(err);
        for (const c of slot.controls.values()) c.reject(err);
        slot.controls.clear();
        child.kill('SIGKILL');
        if (!slot.ready) {
          if (!settled) reject(err);
          settled = true;
          return;
        }
        // A process that died in service is replaced; one that never started is not retried.
        if (!this.closing) this.spawn().then(() => this.pump(), (e: unknown) => this.failQueued(e as Error));
      };
      child.on('message', (reply: DetectorReply) => {
        if (reply.kind === 'ready') {
          slot.ready = true;
          settled = true;
          resolve();
          this.pump();
        } else if (reply.kind === 'load-error') {
          const err = rebuild(reply.error);
          fail(err);
        } else if (reply.kind === 'loaded' || reply.kind === 'load-failed') {
          const c = slot.controls.get(reply.id);
          slot.controls.delete(reply.id);
          if (reply.kind === 'loaded') c?.resolve();
          else c?.reject(rebuild(reply.error));
        } else {
          const i = slot.jobs.findIndex((j) => j.request.id === reply.id);
          const job = i >= 0 ? slot.jobs.splice(i, 1)[0] : undefined;
          if (job) {
            if (reply.kind === 'result') job.resolve({ detections: reply.detections, timingsMs: reply.timingsMs });
            else if (reply.kind === 'file-result') job.resolve({ detections: reply.detections, timingsMs: reply.timingsMs, decodeMs: reply.decodeMs });
            else job.reject(rebuild(reply.error));
          }
          this.pump();
        }
      });
      child.on('error', (err) => fail(new DetectorProcessError(`detector process of ${this.name} failed: ${err.message}`, { cause: err })));
      child.on('exit', (code, signal) => {
        if (!this.closing) fail(new DetectorProcessError(`detector process of ${this.name} exited (${signal ?? `code ${code}`})`));
      });
      const refused = child.pid === undefined ? undefined : lowerPriority(child.pid, this.nice);
      if (refused) {
        fail(new DetectorProcessError(`detector process of ${this.name}: ${refused.message}`, { cause: refused }));
      } else {
        const init: DetectorInit = { kind: 'init', cards: this.initCards, ...this.options };
        child.send(init);
      }
    });
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private failQueued(err: Error): void {
    if (this.slots.length > 0) return;
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  /**
   * Stops every process. Cancels rather than waits: frames queued or in flight are rejected with
   * DetectorProcessError ("closed"), and a drain in progress ends with them. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = (): DetectorProcessError => new DetectorProcessError(`detector pool of ${this.name} closed`);
      for (const job of this.queue.splice(0)) job.reject(closed());
      const slots = this.slots.splice(0);
      await Promise.allSettled(
        slots.map(async (slot) => {
          for (const job of slot.jobs.splice(0)) job.reject(closed());
          for (const c of slot.controls.values()) c.reject(closed());
          slot.controls.clear();
          if (slot.child.exitCode !== null || slot.child.signalCode !== null) return;
          const exited = new Promise<void>((r) => slot.child.once('exit', () => r()));
          // Closing the channel lets the process release its session and exit; a stuck one is killed.
          if (slot.child.connected) slot.child.disconnect();
          const timer = setTimeout(() => slot.child.kill('SIGKILL'), 2000);
          await exited;
          clearTimeout(timer);
        }),
      );
    })();
    return this.closing;
  }
}
