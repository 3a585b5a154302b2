import type { FrameDetector } from '../../models/frame-detector.ts';
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

/**
 * The models of one worker: every model any camera names (its `detectors`, the default, the
 * shadow candidates and the models they replace), each loaded once per detector process, and
 * per camera the ones its visit runs.
 */
export class WorkerModels {
  private constructor(
    readonly set: ModelSet,
    private readonly bySpec: ReadonlyMap<string, string>,
    readonly shadows: readonly ResolvedShadow[],
    private readonly fallback: string,
  ) {}

  /**
   * Resolves and loads every model the config names.
   * @throws ModelError naming the model that cannot be resolved or loaded; RangeError when two specs are different cards with one id.
   */
  static async load(config: GridworkerConfig, options: { readonly modelDirs: readonly string[]; readonly processes: number; readonly nice?: number }): Promise<WorkerModels> {
    const specs = new Set<string>([config.models.default, ...config.cameras.flatMap((c) => c.detectors)]);
    for (const s of config.models.shadow) {
      specs.add(s.model);
      if (s.replaces !== undefined) specs.add(s.replaces);
    }
    const bySpec = new Map<string, string>();
    const cards = new Map<string, ModelCard>();
    for (const spec of specs) {
      const card = await resolveModel(spec, { modelDirs: options.modelDirs });
      const known = cards.get(card.id);
      if (known && known.sha256 !== card.sha256) throw new RangeError(`models "${spec}" and another one are different files with the same card id "${card.id}"`);
      cards.set(card.id, known ?? card);
      bySpec.set(spec, card.id);
    }
    const shadows = config.models.shadow.map((s): ResolvedShadow => {
      const model = bySpec.get(s.model)!;
      const replaces = s.replaces === undefined ? undefined : bySpec.get(s.replaces);
      return { model, ...(replaces ? { replaces } : {}), config: s, card: cards.get(model)!, covers: (cam) => inShadowGroup(s, cam) };
    });
    const set = await loadModelSet([...cards.values()], { processes: options.processes, ...(options.nice !== undefined ? { nice: options.nice } : {}) });
    return new WorkerModels(set, bySpec, shadows, bySpec.get(config.models.default)!);
  }

  /** Every loaded card. */
  get cards(): readonly ModelCard[] {
    return this.set.cards;
  }

  /** The default model (what `models.default` names). */
  get defaultDetector(): FrameDetector {
    return this.set.get(this.fallback);
  }

  /** The card of a loaded model. */
  card(id: string): ModelCard {
    return this.set.get(id).card;
  }

  /**
   * Card ids of the models a camera's visit runs. Models a reloaded config added after start are
   * not loaded: they are left out (a camera left with none runs the default model).
   */
  plan(camera: GridworkerCamera, promoted: ReadonlySet<string>): CameraModelPlan {
    const detectors = camera.detectors.flatMap((spec) => this.bySpec.get(spec) ?? []);
    const plan = cameraModelPlan(camera, detectors, this.shadows, promoted);
    return plan.active.length ? plan : { ...plan, active: [this.fallback] };
  }

  /** The detectors of a camera's visit. */
  detectors(camera: GridworkerCamera, promoted: ReadonlySet<string>): CameraDetectors {
    const plan = this.plan(camera, promoted);
    return { active: plan.active.map((id) => this.set.get(id)), shadow: plan.shadow.map((id) => this.set.get(id)) };
  }

  close(): Promise<void> {
    return this.set.close();
  }
}
