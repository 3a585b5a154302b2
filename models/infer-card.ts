import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDecoder } from './decoders/registry.ts';
import { DecoderError } from './errors.ts';
import { type ModelCard, parseModelCard } from './model-card.ts';
import { type TensorInfo, createSession, describeSession } from './onnx-session.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** COCO-80 class names, bundled for models that output 80 classes and come without a card. */
export function coco80Labels(): string[] {
  return readFileSync(join(here, 'zoo', 'coco80.names'), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
}

interface Guess {
  readonly decoder: string;
  readonly numClasses: number;
  readonly strides?: readonly number[];
}

/** Candidate families for a set of output shapes; each is then confirmed by the decoder's own check. */
function guesses(outputs: readonly TensorInfo[], inW: number): Guess[] {
  const out: Guess[] = [];
  const [first] = outputs;
  if (outputs.length === 1 && first) {
    const d = first.dims;
    if (d.length === 3 && d[2] === 6) out.push({ decoder: 'nms-free', numClasses: 0 });
    if (d.length === 3 && d[1]! > 4 && d[1]! < d[2]!) out.push({ decoder: 'yolov8', numClasses: d[1]! - 4 });
    if (d.length === 3 && d[2]! > 5) {
      out.push({ decoder: 'yolox', numClasses: d[2]! - 5, strides: [8, 16, 32] });
      out.push({ decoder: 'yolov5', numClasses: d[2]! - 5 });
    }
    if (d.length === 4 && d[1]! > 5) out.push({ decoder: 'fastestdet', numClasses: d[1]! - 5 });
  } else if (outputs.length % 2 === 0 && first && first.dims.length === 3) {
    const levels = outputs.length / 2;
    const strides = [8, 16, 32, 64, 128].slice(0, levels);
    if (Math.ceil(inW / strides[0]!) ** 2 === first.dims[1]) out.push({ decoder: 'gfl', numClasses: first.dims[2]!, strides });
  }
  return out;
}

/**
 * Builds a card for an .onnx file that has none, from its own input and output shapes.
 * Preprocessing is the common Ultralytics convention (RGB, 0-1, centred letterbox padded with 114),
 * which the caller should say out loud: a card is the way to be sure.
 */
export async function inferCard(modelPath: string, bytes: Uint8Array, sha256: string): Promise<ModelCard> {
  const session = await createSession(bytes, modelPath, 1);
  const io = describeSession(session);
  await session.release();
  const input = io.inputs[0];
  if (!input || input.dims.length !== 4) {
    throw new DecoderError(`model ${modelPath} has no 4-D image input (inputs: ${io.inputs.map((i) => `${i.name}[${i.dims}]`).join(', ')})`);
  }
  const nhwc = input.dims[3] === 3;
  const [h, w] = nhwc ? [input.dims[1]!, input.dims[2]!] : [input.dims[2]!, input.dims[3]!];
  if (!(h > 0 && w > 0)) throw new DecoderError(`model ${modelPath} has a dynamic input size ${JSON.stringify(input.dims)}: write a model card that fixes it`);
  const reasons: string[] = [];
  for (const g of guesses(io.outputs, w)) {
    const problem = getDecoder(g.decoder).check(io.outputs, {
      inputWidth: w,
      inputHeight: h,
      numClasses: g.numClasses,
      scoreThreshold: 0.25,
      params: g.strides ? { strides: g.strides } : {},
    });
    if (problem) {
      reasons.push(`${g.decoder}: ${problem}`);
      continue;
    }
    const numClasses = g.decoder === 'nms-free' ? 80 : g.numClasses;
    const labels = numClasses === 80 ? coco80Labels() : Array.from({ length: numClasses }, (_, i) => `class${i}`);
    const json = {
      id: 'uncarded',
      version: sha256.slice(0, 12),
      name: `${modelPath} (no card; ${g.decoder} inferred from output shapes)`,
      file: modelPath,
      sha256,
      decoder: g.decoder,
      decoderParams: g.strides ? { strides: [...g.strides], regMax: g.decoder === 'gfl' ? 7 : undefined } : {},
      input: { name: input.name, width: w, height: h, layout: nhwc ? 'NHWC' : 'NCHW', colorOrder: 'RGB', scale: 1 / 255, resize: 'letterbox-center', padValue: 114 },
      outputs: io.outputs.map((o) => ({ name: o.name, shape: o.dims.map((d) => (d > 0 ? d : 1)) })),
      labels,
      licence: { name: 'unknown' },
      source: modelPath,
    };
    return parseModelCard(json, modelPath, modelPath);
  }
  const shapes = io.outputs.map((o) => `${o.name}[${o.dims.join(',')}]`).join(', ');
  throw new DecoderError(
    `no decoder understands the outputs of ${modelPath} (${shapes})${reasons.length ? `: ${reasons.join('; ')}` : ''}; known families: gfl, yolox, fastestdet, yolov5, yolov8, nms-free — write a model card`,
  );
}
