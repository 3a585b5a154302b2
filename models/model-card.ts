import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ModelCardError } from './errors.ts';

/** How the source image is fitted into the network input. */
export const ResizeMode = z.enum(['stretch', 'letterbox-top-left', 'letterbox-center']);
export type ResizeMode = z.infer<typeof ResizeMode>;

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** Preprocessing a card asks for. value = (pixel * scale - mean[c]) / std[c], channels in `colorOrder`. */
export const InputSpec = z.strictObject({
  name: z.string().min(1).describe('Name of the graph input fed with the image tensor.'),
  width: z.number().int().min(8).max(4096).describe('Network input width in pixels.'),
  height: z.number().int().min(8).max(4096).describe('Network input height in pixels.'),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW').describe('Tensor layout; NCHW is planar.'),
  colorOrder: z.enum(['RGB', 'BGR']).describe('Channel order the network was trained with.'),
  scale: z.number().positive().default(1).describe('Multiplier applied to 0-255 pixels first (1/255 for 0-1 input).'),
  mean: triple.default([0, 0, 0]).describe('Per-channel mean, in colorOrder, after scaling.'),
  std: triple.default([1, 1, 1]).describe('Per-channel std, in colorOrder, after scaling.'),
  resize: ResizeMode.describe('stretch, letterbox-top-left (pad right/bottom) or letterbox-center.'),
  padValue: z.number().min(0).max(255).default(114).describe('Raw 0-255 pixel value used for letterbox padding.'),
});
export type InputSpec = z.infer<typeof InputSpec>;

/** One expected output: its name (optional: matched by position when absent) and shape. */
export const OutputSpec = z.strictObject({
  name: z.string().min(1).optional(),
  shape: z.array(z.number().int().positive()).min(1),
});

/** Validation figures measured at the end of training (COCOeval, as `bench` computes them). */
export const TrainingScore = z.strictObject({
  data: z.string().min(1).describe('The validation images the figures come from.'),
  images: z.number().int().min(0),
  map: z.number().describe('COCO mAP@0.5:0.95 (-1 when nothing to average).'),
  ap50: z.number().describe('AP at IoU 0.5 over all classes.'),
  perClass: z.array(z.strictObject({ name: z.string(), ap: z.number(), ap50: z.number(), gtCount: z.number().int().min(0) })),
  bestF1: z
    .strictObject({ threshold: z.number(), precision: z.number(), recall: z.number(), f1: z.number() })
    .nullable()
    .default(null)
    .describe('Best-F1 operating point at IoU 0.5 over all classes; the card\'s thresholds.score is set from it.'),
});

/** How a model made by `gridworker train` came to be. */
export const TrainingRecord = z.strictObject({
  method: z.string().min(1).describe('What was trained and how (assignment, loss, optimiser).'),
  base: z.strictObject({ id: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).describe('The frozen base model.'),
  data: z.string().min(1).describe('Training images (folder as given).'),
  images: z.number().int().min(0).describe('Training images used.'),
  heldOutNegatives: z.number().int().min(0).default(0).describe('Images without objects kept out of training (listed beside the card).'),
  dataLicence: z.string().min(1).describe('Licence and attribution of the training data.'),
  epochs: z.number().int().positive(),
  seed: z.number().int(),
  trainSeconds: z.number().min(0).describe('Wall time, seconds: feature caching (of the last run) plus every epoch (validation included).'),
  validation: TrainingScore.optional(),
});

export const ModelCardSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case id: letters, digits, . _ -').describe('Stable model id.'),
  version: z.string().min(1).describe('Model version recorded with every detection and event.'),
  name: z.string().min(1).describe('Human-readable name.'),
  file: z.string().min(1).describe('ONNX file, relative to the card (or absolute).'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  decoder: z.string().min(1).describe('Decoder registry key: gfl, yolox, fastestdet, yolov5, yolov8, nms-free.'),
  decoderParams: z
    .strictObject({
      strides: z.array(z.number().int().positive()).optional(),
      regMax: z.number().int().positive().optional(),
      objPower: z.number().min(0).max(1).optional(),
      normalizedBoxes: z.boolean().optional(),
    })
    .default({}),
  loadFixes: z
    .array(z.enum(['strip-initializer-inputs']))
    .default([])
    .describe(
      'Graph fixes applied in memory at load time, after the sha256 check. strip-initializer-inputs: drop weights the export also lists as graph inputs, so onnxruntime can constant-fold and fuse them.',
    ),
  input: InputSpec,
  outputs: z.array(OutputSpec).min(1).describe('Expected outputs, checked against the loaded model.'),
  labels: z.array(z.string().min(1)).min(1).describe('Class labels in class-id order.'),
  thresholds: z
    .strictObject({
      score: z.number().min(0).max(1).default(0.35).describe('Default minimum score.'),
      nms: z.number().min(0).max(1).default(0.45).describe('Class-wise NMS IoU threshold.'),
      maxDetections: z.number().int().positive().max(10000).default(100).describe('Max detections per image.'),
    })
    .default({ score: 0.35, nms: 0.45, maxDetections: 100 }),
  licence: z.strictObject({ name: z.string().min(1), file: z.string().min(1).optional() }),
  source: z.string().min(1).describe('Where the weights come from.'),
  training: TrainingRecord.optional().describe('For models made by `gridworker train`: how, from what data, and what it measured.'),
});
export type ModelCardData = z.infer<typeof ModelCardSchema>;

/** A validated card plus where its model file is on disk. */
export interface ModelCard extends ModelCardData {
  /** Absolute path of the card itself (or of the .onnx when the card was built in code). */
  readonly cardPath: string;
  /** Absolute path of the ONNX file. */
  readonly modelPath: string;
}

/** Formats zod issues as "key.path: reason" lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Validates parsed JSON as a model card; `where` names the source in errors. */
export function parseModelCard(json: unknown, where: string, modelPathOverride?: string): ModelCard {
  const parsed = ModelCardSchema.safeParse(json);
  if (!parsed.success) {
    throw new ModelCardError(`model card ${where} is invalid: ${formatIssues(parsed.error.issues)}`);
  }
  const card = parsed.data;
  if (card.outputs.length === 0) throw new ModelCardError(`model card ${where}: outputs is empty`);
  const modelPath = modelPathOverride ?? resolve(dirname(where), card.file);
  return { ...card, cardPath: resolve(where), modelPath };
}

/** Reads and validates a model card file. `modelPath` overrides the card's `file`. */
export async function loadModelCard(cardPath: string, modelPath?: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(cardPath, 'utf8');
  } catch (err) {
    throw new ModelCardError(`cannot read model card ${cardPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelCardError(`model card ${cardPath} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseModelCard(json, cardPath, modelPath ? resolve(modelPath) : undefined);
}
