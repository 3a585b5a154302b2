import { DecoderError } from '../errors.ts';
import type { DecodeContext, Decoder, DecoderParams } from './decoder.ts';
import { fastestDetDecoder } from './fastestdet.ts';
import { gflDecoder } from './gfl.ts';
import { nmsFreeDecoder } from './nms-free.ts';
import { formatDims } from './shape.ts';
import { yolov5Decoder } from './yolov5.ts';
import { yolov8Decoder } from './yolov8.ts';
import { yoloxDecoder } from './yolox.ts';

/** Every decoder, under the key model cards name in `decoder`. */
const DECODERS: readonly Decoder[] = [gflDecoder, yoloxDecoder, fastestDetDecoder, yolov5Decoder, yolov8Decoder, nmsFreeDecoder];

/** Stride sets tried by inferDecoder when the caller gives none (PicoDet, NanoDet, YOLOX). */
const INFERENCE_STRIDES: Readonly<Record<string, readonly (readonly number[])[]>> = {
  gfl: [
    [8, 16, 32, 64],
    [8, 16, 32],
  ],
  yolox: [[8, 16, 32]],
};

/** Every registered decoder, in registry order. */
export function listDecoders(): readonly Decoder[] {
  return DECODERS;
}

/** The decoder registered under `name`; throws DecoderError naming the known keys otherwise. */
export function getDecoder(name: string): Decoder {
  const found = DECODERS.find((d) => d.name === name);
  if (found === undefined) {
    throw new DecoderError(`unknown decoder "${name}"; known decoders: ${DECODERS.map((d) => d.name).join(', ')}`);
  }
  return found;
}

/** What inferDecoder needs to know about the model besides its output shapes. */
export interface DecoderProbe {
  /** Network input width in pixels. */
  readonly inputWidth: number;
  /** Network input height in pixels. */
  readonly inputHeight: number;
  /** Number of classes (labels) the model predicts. */
  readonly numClasses: number;
  /** Known decoder parameters; when `strides` is absent the common stride sets are tried. */
  readonly params?: DecoderParams;
}

/** A decoder that fits the outputs, with the parameters it was checked with. */
export interface DecoderMatch {
  readonly decoder: Decoder;
  readonly params: DecoderParams;
}

type Shape = { name: string; dims: readonly number[] };

/**
 * Parameter sets to try for one decoder: the caller's, with each common stride set when the caller
 * gives none, and for GFL a regMax read off the last output (its last dim is 4 * (regMax + 1)).
 */
function trials(decoder: Decoder, outputs: readonly Shape[], given: DecoderParams): DecoderParams[] {
  let params = given;
  const lastDim = outputs.at(-1)?.dims.at(-1);
  if (decoder.name === 'gfl' && given.regMax === undefined && lastDim !== undefined && lastDim >= 8 && lastDim % 4 === 0) {
    params = { ...given, regMax: lastDim / 4 - 1 };
  }
  const strideSets = INFERENCE_STRIDES[decoder.name];
  if (given.strides !== undefined || strideSets === undefined) return [params];
  return strideSets.map((strides) => ({ ...params, strides }));
}

function describe(decoder: Decoder, params: DecoderParams, given: DecoderParams): string {
  return params.strides !== undefined && given.strides === undefined ? `${decoder.name} (strides ${params.strides.join(', ')})` : decoder.name;
}

/**
 * Tries every registered decoder's check() against the output shapes and returns all that fit,
 * in registry order (several can: a YOLOX output also has the YOLOv5 shape). Decoders that
 * need strides are tried with the common sets when `probe.params.strides` is absent.
 * Throws DecoderError listing every decoder's reason when none fits.
 */
export function inferDecoder(outputs: readonly Shape[], probe: DecoderProbe): DecoderMatch[] {
  const given = probe.params ?? {};
  const matches: DecoderMatch[] = [];
  const reasons: string[] = [];
  for (const decoder of DECODERS) {
    for (const params of trials(decoder, outputs, given)) {
      const ctx: DecodeContext = { ...probe, scoreThreshold: 0, params };
      const problem = decoder.check(outputs, ctx);
      if (problem === null) matches.push({ decoder, params });
      else reasons.push(`${describe(decoder, params, given)}: ${problem}`);
    }
  }
  if (matches.length === 0) {
    const shapes = outputs.map((o) => formatDims(o.dims)).join(', ');
    throw new DecoderError(`no decoder fits outputs ${shapes || '(none)'} with ${probe.numClasses} classes on a ${probe.inputWidth}x${probe.inputHeight} input:\n  - ${reasons.join('\n  - ')}`);
  }
  return matches;
}
