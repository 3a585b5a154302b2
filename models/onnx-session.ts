import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { OutputTensor } from './decoders/decoder.ts';
import { ModelIntegrityError, ModelLoadError, ModelShapeError } from './errors.ts';
import type { ModelCard } from './model-card.ts';
import { stripInitializerInputs } from './onnx-graph/strip-initializer-inputs.ts';

/** Options for running a model on the CPU. */
export interface SessionOptions {
  /** Threads inside one inference (onnxruntime intra-op). Default 1: a worker runs one model per core. */
  readonly threads?: number;
  /** Skip the sha256 check (only for cards built in code from an uncarded file). Default false. */
  readonly skipIntegrityCheck?: boolean;
}

/** Name and shape of a model input or output as onnxruntime reports it (-1 for a dynamic axis). */
export interface TensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
}

// onnxruntime prints a warning per initializer that is also a graph input (hundreds for the
// PicoDet export). Errors (severity 3) still reach us as exceptions; warnings never reach the user.
ort.env.logLevel = 'error';
const QUIET = 3 as const;

/** sha256 of a byte buffer, lower-case hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a model file, mapping fs errors to a ModelLoadError that names the file. */
export async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
    throw new ModelLoadError(`cannot read model file ${path}: ${why}`, { cause: err });
  }
}

/** Creates an onnxruntime session from bytes; a file that is not a loadable model is a ModelLoadError. */
export async function createSession(bytes: Uint8Array, path: string, threads: number): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      logSeverityLevel: QUIET,
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
  } catch (err) {
    const first = String((err as Error).message ?? err).split('\n')[0];
    throw new ModelLoadError(`onnxruntime cannot load ${path}: ${first}`, { cause: err });
  }
}

/** Input and output names and shapes of a session. */
export function describeSession(session: ort.InferenceSession): { inputs: TensorInfo[]; outputs: TensorInfo[] } {
  const info = (m: ort.InferenceSession.ValueMetadata): TensorInfo => ({
    name: m.name,
    dims: m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : [],
  });
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
}

const fmt = (dims: readonly number[]): string => `[${dims.join(',')}]`;
const fits = (want: readonly number[], got: readonly number[]): boolean =>
  want.length === got.length && want.every((d, i) => got[i] === -1 || got[i] === d);

/**
 * A loaded model whose file matched the card's sha256 and whose real input and outputs matched
 * the card. Runs one image tensor and hands back the outputs in the card's order.
 */
export class OnnxModel {
  private closed = false;

  private constructor(
    readonly card: ModelCard,
    private readonly session: ort.InferenceSession,
    /** Output names in the card's order. */
    readonly outputNames: readonly string[],
    /** Input tensor dims fed on every run. */
    readonly inputDims: readonly number[],
  ) {}

  /** Loads and verifies a model: sha256, onnxruntime load, input and output shapes. */
  static async load(card: ModelCard, options: SessionOptions = {}): Promise<OnnxModel> {
    const bytes = await readModelFile(card.modelPath);
    if (!options.skipIntegrityCheck) {
      const actual = sha256Hex(bytes);
      if (actual !== card.sha256) {
        throw new ModelIntegrityError(
          `model file ${card.modelPath} does not match its card ${card.cardPath}: sha256 is ${actual}, card expects ${card.sha256} (corrupt or substituted file)`,
        );
      }
    }
    const session = await createSession(applyLoadFixes(bytes, card), card.modelPath, options.threads ?? 1);
    try {
      const { outputNames, inputDims } = verifyShapes(card, describeSession(session));
      return new OnnxModel(card, session, outputNames, inputDims);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** Runs the model on one preprocessed tensor. */
  async run(tensor: Float32Array): Promise<OutputTensor[]> {
    if (this.closed) throw new ModelLoadError(`model ${this.card.id} is closed`);
    const feeds = { [this.card.input.name]: new ort.Tensor('float32', tensor, this.inputDims as number[]) };
    const result = await this.session.run(feeds);
    return this.outputNames.map((name) => {
      const t = result[name];
      if (!t || t.type !== 'float32') throw new ModelShapeError(`model ${this.card.id}: output ${name} is missing or not float32`);
      return { name, dims: t.dims, data: t.data as Float32Array };
    });
  }

  /** Releases the onnxruntime session. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

/** Applies the card's in-memory graph fixes to verified model bytes. */
export function applyLoadFixes(bytes: Uint8Array, card: Pick<ModelCard, 'loadFixes'>): Uint8Array {
  let out = bytes;
  for (const fix of card.loadFixes) {
    if (fix === 'strip-initializer-inputs') out = stripInitializerInputs(out).bytes;
  }
  return out;
}

/** Checks the session's real input/outputs against the card; returns output names in card order. */
export function verifyShapes(
  card: ModelCard,
  io: { inputs: readonly TensorInfo[]; outputs: readonly TensorInfo[] },
): { outputNames: string[]; inputDims: number[] } {
  const where = `model ${card.modelPath} (card ${card.cardPath})`;
  const input = io.inputs.find((i) => i.name === card.input.name);
  if (!input) {
    throw new ModelShapeError(`${where}: card expects input "${card.input.name}", model has ${io.inputs.map((i) => `"${i.name}"`).join(', ')}`);
  }
  const { width, height, layout } = card.input;
  const inputDims = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  if (!fits(inputDims, input.dims)) {
    throw new ModelShapeError(`${where}: card expects input "${input.name}" of shape ${fmt(inputDims)} (${layout}), model declares ${fmt(input.dims)}`);
  }
  if (card.outputs.length !== io.outputs.length) {
    throw new ModelShapeError(
      `${where}: card expects ${card.outputs.length} outputs, model has ${io.outputs.length}: ${io.outputs.map((o) => `${o.name}${fmt(o.dims)}`).join(', ')}`,
    );
  }
  const outputNames = card.outputs.map((want, i) => {
    const got = want.name ? io.outputs.find((o) => o.name === want.name) : io.outputs[i];
    if (!got) throw new ModelShapeError(`${where}: card expects output "${want.name}", model has ${io.outputs.map((o) => `"${o.name}"`).join(', ')}`);
    if (!fits(want.shape, got.dims)) {
      throw new ModelShapeError(`${where}: output "${got.name}" expected shape ${fmt(want.shape)}, model declares ${fmt(got.dims)}`);
    }
    return got.name;
  });
  return { outputNames, inputDims };
}
