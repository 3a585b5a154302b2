import { ModelUnavailableError } from '../../models/errors.ts';
import { InFlight } from '../../models/in-flight.ts';
import type { ModelCard } from '../../models/model-card.ts';
import { resolveModel } from '../../models/model-catalog.ts';
import { loadModelSet, type ModelSet } from '../../models/model-set.ts';
import type { GridworkerCamera, GridworkerConfig } from '../config/config-schema.ts';
import { inShadowGroup, type ShadowModelConfig } from '../config/shadow-schema.ts';
import { cameraModelPlan, type CameraModelPlan, type PlannedShadow } from './camera-model-plan.ts';
import type { CameraDetectors } from './stream-camera-visitor.ts';

/** A shadow candidate with its models resolved to card ids. */
export interface ResolvedShadow extends PlannedShadow {
  readonly config: ShadowModelConfig;
  /** The candidate's card. */
  readonly card: ModelCard;
}

/** A model the config names that is not running, and why. */
export interface ModelFailure {
  /** As the config names it: card id, card .json or .onnx path. */
  readonly spec: string;
  readonly error: Error;
}

/** What applying a config changed. */
export interface ModelChange {
  /** Card ids loaded (or reloaded: the file changed). */
  readonly loaded: readonly string[];
  /**
   * Card ids no camera names any more, dropped: out of service at once, released once the visits
   * holding them are done (unless a later config names them again first).
   */
  readonly unloaded: readonly string[];
  /** Models named that could not be resolved or loaded (kept until a later config loads them). */
  readonly failed: readonly ModelFailure[];
}

/**
 * Specs of the models that run: the `detectors` of every enabled camera and the shadow
 * candidates whose group holds one. The default model only runs where a camera names it (the
 * config fills it in for cameras without `detectors`); a `replaces` model only where a camera runs it.
 */
export function runningSpecs(config: GridworkerConfig): Set<string> {
  const cameras = config.cameras.filter((c) => c.enabled);
  const specs = new Set(cameras.flatMap((c) => c.detectors));
  for (const s of config.models.shadow) if (cameras.some((c) => inShadowGroup(s, c))) specs.add(s.model);
  return specs;
}

/**
 * The models of one worker, kept in step with the config: each model a camera runs loaded once
 * per detector process, and per camera the ones its visit runs. A reloaded config loads the
 * models it newly names and drops those nothing names any more, while the patrol goes on; a model
 * that cannot load fails the visits of the cameras that name it, not the others.
 *
 * A dropped model waits for the visits using it: each visit holds its models from `detectors`
 * until it calls `release`, and the model is released from the detector processes only when no
 * visit holds it (the set then drains the detect calls in flight). A config naming it again
 * before that keeps it loaded.
 */
export class WorkerModels {
  /** Card id of each spec that resolved (and, when it runs, loaded). */
  private bySpec = new Map<string, string>();
  private failures = new Map<string, Error>();
  private resolvedShadows: readonly ResolvedShadow[] = [];
  /** Applies one config at a time; visits wait for the one in progress. */
  private applying: Promise<unknown> = Promise.resolve();
  /** Visits holding each model (card id), from `detectors` to their `release`. */
  private readonly visits = new InFlight();
  /** Card ids the config applied last runs. */
  private keep = new Set<string>();
  /** Models dropped and waiting for their visits, each with the token of its drop (a later drop replaces it). */
  private readonly pendingDrops = new Map<string, symbol>();
  private closed = false;

  private constructor(
    readonly set: ModelSet,
    private readonly modelDirs: readonly string[],
  ) {}

  /**
   * Resolves and loads every model the config's cameras run.
   * @throws ModelError naming the first model that cannot be resolved or loaded (nothing stays loaded).
   */
  static async load(config: GridworkerConfig, options: { readonly modelDirs: readonly string[]; readonly processes: number; readonly nice?: number }): Promise<WorkerModels> {
    const models = new WorkerModels(await loadModelSet([], { processes: options.processes, ...(options.nice !== undefined ? { nice: options.nice } : {}) }), options.modelDirs);
    const change = await models.apply(config);
    const first = change.failed[0];
    if (first) {
      await models.close();
      throw first.error;
    }
    return models;
  }

  /**
   * Brings the loaded models in step with a (reloaded) config: loads the models it names that are
   * not loaded (or whose file changed), then drops those it no longer names. Never throws: models
   * that cannot load are reported, and the visits of cameras naming them fail with the reason.
   */
  apply(config: GridworkerConfig): Promise<ModelChange> {
    const run = this.applying.then(() => this.sync(config));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async sync(config: GridworkerConfig): Promise<ModelChange> {
    const running = runningSpecs(config);
    const named = new Set(running);
    for (const s of config.models.shadow) if (s.replaces !== undefined) named.add(s.replaces);
    const bySpec = new Map<string, string>();
    const failures = new Map<string, Error>();
    const cards = new Map<string, ModelCard>();
    for (const spec of named) {
      try {
        const card = await resolveModel(spec, { modelDirs: this.modelDirs });
        const known = cards.get(card.id);
        if (known && known.sha256 !== card.sha256) throw new RangeError(`models "${spec}" and another one are different files with the same card id "${card.id}"`);
        bySpec.set(spec, card.id);
        if (running.has(spec)) cards.set(card.id, known ?? card);
      } catch (err) {
        failures.set(spec, err as Error);
      }
    }
    const loaded: string[] = [];
    for (const card of cards.values()) {
      const now = this.set.has(card.id) ? this.set.get(card.id).card : undefined;
      // Unchanged card and file: kept. An edited card (thresholds, decoder) or a new file is loaded again.
      if (now && JSON.stringify(now) === JSON.stringify(card)) continue;
      try {
        await this.set.add(card);
        loaded.push(card.id);
      } catch (err) {
        for (const [spec, id] of bySpec) {
          if (id !== card.id || !running.has(spec)) continue;
          bySpec.delete(spec);
          failures.set(spec, err as Error);
        }
      }
    }
    // New visits see the new models from here; models nothing names any more go after.
    this.bySpec = bySpec;
    this.failures = failures;
    this.resolvedShadows = config.models.shadow.flatMap((s): ResolvedShadow[] => {
      const model = bySpec.get(s.model);
      if (model === undefined || !this.set.has(model)) return [];
      const replaces = s.replaces === undefined ? undefined : bySpec.get(s.replaces);
      return [{ model, ...(replaces ? { replaces } : {}), config: s, card: this.set.get(model).card, covers: (cam) => inShadowGroup(s, cam) }];
    });
    const keep = new Set([...running].flatMap((spec) => bySpec.get(spec) ?? []));
    this.keep = keep;
    // Named again before its visits were done: it stays.
    for (const id of keep) this.pendingDrops.delete(id);
    const unloaded: string[] = [];
    for (const card of this.cards) {
      if (keep.has(card.id)) continue;
      this.dropWhenFree(card.id);
      unloaded.push(card.id);
    }
    return { loaded, unloaded, failed: [...failures].map(([spec, error]) => ({ spec, error })) };
  }

  /**
   * Removes a model from the set once no visit holds it, in turn with the configs being applied
   * (so a config naming it again is never undone), unless a later config names it first.
   */
  private dropWhenFree(id: string): void {
    const token = Symbol(id);
    this.pendingDrops.set(id, token);
    void this.visits.idle(id).then(() => {
      const run = this.applying.then(async () => {
        if (this.pendingDrops.get(id) !== token) return;
        this.pendingDrops.delete(id);
        if (this.closed || this.keep.has(id)) return;
        await this.set.remove(id);
      });
      this.applying = run.catch(() => undefined);
    });
  }

  /** Resolves once the config applied last is in effect. */
  async settled(): Promise<void> {
    await this.applying;
  }

  /** Every card in service (not those dropped and still held by a visit). */
  get cards(): readonly ModelCard[] {
    return this.set.cards.filter((c) => !this.pendingDrops.has(c.id));
  }

  /** Shadow candidates that are loaded. */
  get shadows(): readonly ResolvedShadow[] {
    return this.resolvedShadows;
  }

  /** Models the config names that are not running, with the reason (health and readiness show them). */
  get failed(): readonly ModelFailure[] {
    return [...this.failures].map(([spec, error]) => ({ spec, error }));
  }

  /** Process ids of the detector processes. */
  get pids(): readonly number[] {
    return this.set.pids;
  }

  /** The card of a loaded model. */
  card(id: string): ModelCard {
    return this.set.get(id).card;
  }

  /**
   * Card ids of the models a camera's visit runs. A shadow candidate that failed to load is left
   * out (the active models still run).
   * @throws ModelUnavailableError when a model the camera names is not loaded, with the reason.
   */
  plan(camera: GridworkerCamera, promoted: ReadonlySet<string>): CameraModelPlan {
    const detectors = camera.detectors.map((spec) => {
      const id = this.bySpec.get(spec);
      if (id !== undefined && this.set.has(id)) return id;
      const why = this.failures.get(spec);
      throw new ModelUnavailableError(`camera ${camera.id}: model "${spec}" is not loaded: ${why?.message ?? 'not applied yet'}`, { cause: why });
    });
    return cameraModelPlan(camera, detectors, this.resolvedShadows, promoted);
  }

  /**
   * The detectors of a camera's visit, once a config reload in progress is applied. The visit
   * holds them until it calls `release` (a reload dropping one of them waits for that).
   * @throws ModelUnavailableError as {@link plan}.
   */
  async detectors(camera: GridworkerCamera, promoted: ReadonlySet<string>): Promise<CameraDetectors> {
    await this.settled();
    const plan = this.plan(camera, promoted);
    const detectors = { active: plan.active.map((id) => this.set.get(id)), shadow: plan.shadow.map((id) => this.set.get(id)) };
    const leaves = [...plan.active, ...plan.shadow].map((id) => this.visits.enter(id));
    return { ...detectors, release: () => leaves.forEach((leave) => leave()) };
  }

  /**
   * Stops the detector processes after the config being applied, without waiting for visits
   * still holding a dropped model (stop the patrol first). Safe to call twice.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.applying;
    await this.set.close();
  }
}
