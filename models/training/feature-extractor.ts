import * as ort from 'onnxruntime-node';
import { ModelIntegrityError } from '../errors.ts';
import { expectedBin, GFL_DEFAULT_REG_MAX } from '../decoders/gfl.ts';
import type { ModelCard } from '../model-card.ts';
import { findGflHeadLevels, type GflHeadLevel } from '../onnx-graph/gfl-shared-head.ts';
import { addGraphOutputs } from '../onnx-graph/graft-gfl-class-head.ts';
import { findTowerDepthwise, type TowerDepthwise } from '../onnx-graph/tower-depthwise.ts';
import { findTowerFrontBlock, type TowerFrontBlock } from '../onnx-graph/tower-front-block.ts';
import { findTowerPointwise, type TowerPointwise } from '../onnx-graph/tower-pointwise.ts';
import { readOnnxGraph, type OnnxGraphView } from '../onnx-graph/onnx-graph-read.ts';
import { applyLoadFixes, createSession, readModelFile, sha256Hex } from '../onnx-session.ts';
import type { RgbFrame } from '../preprocess/frame.ts';
import { preprocessRgb } from '../preprocess/tensor.ts';
import type { InputTransform } from '../preprocess/transform.ts';
import { buildAnchorGrid, type AnchorGrid } from './anchor-grid.ts';
import { TrainingInputError } from './training-errors.ts';

/**
 * Which tensor of each level is cached: the head conv's input ("head"), the input of the tower's
 * last pointwise conv ("pointwise", for a tuned copy of it), the input of the tower's last
 * depthwise conv ("depthwise", for tuned copies of both), or the tower's input, before its first
 * depthwise + pointwise block ("tower", for tuned copies of the whole tower).
 */
export type FeatureTap = 'head' | 'pointwise' | 'depthwise' | 'tower';


/** What the frozen part of the detector says about one image. */
export interface ImageFeatures {
  /** Head input features, anchor-major: [anchors, featureChannels]. */
  readonly features: Float32Array;
  /** The frozen regression's box per anchor, [anchors, 4] as x1, y1, x2, y2 in input pixels. */
  readonly boxes: Float32Array;
  /** Source -> input mapping of the image. */
  readonly transform: InputTransform;
}

/**
 * Runs the base detector once per image with extra graph outputs for the tensors that feed its
 * head conv, and decodes its (class-agnostic) box regression for every anchor. Everything a new
 * class head needs is computed here once, so training never runs the network again.
 */
export class FeatureExtractor {
  private tensor: Float32Array;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly base: ModelCard,
    readonly view: OnnxGraphView,
    readonly levels: readonly GflHeadLevel[],
    readonly grid: AnchorGrid,
    private readonly session: ort.InferenceSession,
    /** The tower's last pointwise convs when features are tapped before them (tap "pointwise" or "depthwise"), else empty. */
    readonly towers: readonly TowerPointwise[],
    /** The tower's last depthwise convs when features are tapped before them (tap "depthwise" or "tower"), else empty. */
    readonly depthwise: readonly TowerDepthwise[],
    /** The tower's first block when features are tapped before it (tap "tower"), else empty. */
    readonly front: readonly TowerFrontBlock[],
  ) {
    this.tensor = new Float32Array(3 * base.input.width * base.input.height);
  }

  /** Feature channels per anchor. */
  get featureChannels(): number {
    return this.front[0]?.depthwise.channels ?? this.depthwise[0]?.channels ?? this.towers[0]?.inChannels ?? this.levels[0]!.featureChannels;
  }

  /** The tensor cached for level l. */
  private tapped(l: number): string {
    return this.front[l]?.depthwise.input ?? this.depthwise[l]?.input ?? this.towers[l]?.input ?? this.levels[l]!.feature;
  }

  /**
   * Loads the base model (sha256 checked), finds its GFL head and opens a session with the
   * feature outputs of `tap` (see FeatureTap).
   */
  static async load(base: ModelCard, threads = 1, tap: FeatureTap = 'head'): Promise<FeatureExtractor> {
    if (base.decoder !== 'gfl') throw new TrainingInputError(`base model ${base.id} uses decoder "${base.decoder}"; training needs a GFL (PicoDet) head`);
    const bytes = await readModelFile(base.modelPath);
    const actual = sha256Hex(bytes);
    if (actual !== base.sha256) throw new ModelIntegrityError(`base model ${base.modelPath}: sha256 ${actual}, card ${base.cardPath} expects ${base.sha256}`);
    const strides = base.decoderParams.strides ?? [];
    const classOutputs = base.outputs.slice(0, strides.length).map((o) => o.name ?? '');
    const view = readOnnxGraph(bytes);
    const levels = findGflHeadLevels(view, classOutputs);
    if (new Set(levels.map((l) => l.featureChannels)).size !== 1) throw new TrainingInputError(`base model ${base.id}: head levels differ in feature channels`);
    const regMax = base.decoderParams.regMax ?? GFL_DEFAULT_REG_MAX;
    if (levels.some((l) => l.boxChannels !== 4 * (regMax + 1))) throw new TrainingInputError(`base model ${base.id}: box channels are not 4 x (regMax + 1)`);
    const towers = tap === 'head' ? [] : levels.map((l) => findTowerPointwise(view, l.feature));
    const depthwise = tap === 'depthwise' || tap === 'tower' ? towers.map((t) => findTowerDepthwise(view, t.input)) : [];
    if (depthwise.some((d) => d.channels !== towers[0]!.inChannels)) throw new TrainingInputError(`base model ${base.id}: the tower's depthwise conv does not feed its last pointwise conv channel for channel`);
    const front = tap === 'tower' ? depthwise.map((d) => findTowerFrontBlock(view, d)) : [];
    const tapped = front.length ? front.map((b) => b.depthwise.input) : depthwise.length ? depthwise.map((d) => d.input) : towers.length ? towers.map((t) => t.input) : levels.map((l) => l.feature);
    const withFeatures = addGraphOutputs(view, tapped);
    const session = await createSession(applyLoadFixes(withFeatures, base), base.modelPath, threads);
    return new FeatureExtractor(base, view, levels, buildAnchorGrid(base.input.width, base.input.height, strides), session, towers, depthwise, front);
  }

  /** Features and frozen boxes of one decoded image. */
  async extract(frame: RgbFrame): Promise<ImageFeatures> {
    const { input } = this.base;
    const { tensor, transform } = preprocessRgb(frame, input, this.tensor);
    this.tensor = tensor;
    const result = await this.session.run({ [input.name]: new ort.Tensor('float32', tensor, [1, 3, input.height, input.width]) });
    const grid = this.grid;
    const f = this.featureChannels;
    const features = new Float32Array(grid.count * f);
    const boxes = new Float32Array(grid.count * 4);
    const strides = this.base.decoderParams.strides ?? [];
    const bins = (this.base.decoderParams.regMax ?? GFL_DEFAULT_REG_MAX) + 1;
    this.levels.forEach((level, l) => {
      const feat = result[this.tapped(l)]?.data as Float32Array | undefined;
      const boxOutput = this.base.outputs[l + strides.length]?.name ?? '';
      const dist = result[boxOutput]?.data as Float32Array | undefined;
      if (!feat || !dist) throw new TrainingInputError(`base model ${this.base.id}: feature or box output of level ${l} missing`);
      const cells = level.cells;
      const start = grid.levelStart[l]!;
      // CHW -> anchor-major, so a head is one dot product per anchor over contiguous memory.
      for (let c = 0; c < f; c++) {
        const plane = c * cells;
        for (let i = 0; i < cells; i++) features[(start + i) * f + c] = feat[plane + i]!;
      }
      const s = strides[l]!;
      for (let i = 0; i < cells; i++) {
        const a = start + i;
        const at = i * 4 * bins;
        boxes[4 * a] = grid.cx[a]! - expectedBin(dist, at, bins) * s;
        boxes[4 * a + 1] = grid.cy[a]! - expectedBin(dist, at + bins, bins) * s;
        boxes[4 * a + 2] = grid.cx[a]! + expectedBin(dist, at + 2 * bins, bins) * s;
        boxes[4 * a + 3] = grid.cy[a]! + expectedBin(dist, at + 3 * bins, bins) * s;
      }
    });
    return { features, boxes, transform };
  }

  /** Releases the session. Safe to call twice. */
  async close(): Promise<void> {
    this.closing ??= this.session.release();
    await this.closing;
  }
}

