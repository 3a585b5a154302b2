import { hardSwishInput, producers } from './hard-swish.ts';
import { OnnxGraphError } from './onnx-graph-error.ts';
import { readFloatInitializer, type OnnxGraphView, type OnnxNode } from './onnx-graph-read.ts';

/** The 1x1 conv + hard-swish that produces a head's input features (the end of PicoDet's tower). */
export interface TowerPointwise {
  /** The conv's input tensor [1, inChannels, H, W]. */
  readonly input: string;
  readonly conv: OnnxNode;
  /** Output channels (the head's feature channels). */
  readonly channels: number;
  readonly inChannels: number;
  /** [channels, inChannels] row-major (1x1 kernel). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Walks back from `feature` through hard-swish (either a HardSwish node or opset-11 exports'
 * x * Clip(x + 3, 0, 6) / 6) to the 1x1 Conv with initializer weight and bias that feeds it.
 * @throws OnnxGraphError when the graph has another shape there.
 */
export function findTowerPointwise(view: OnnxGraphView, feature: string): TowerPointwise {
  const producer = producers(view.nodes);
  const where = `feature "${feature}"`;
  const convOut = hardSwishInput(producer, feature);
  const conv = producer.get(convOut ?? '');
  if (!conv || conv.opType !== 'Conv') throw new OnnxGraphError(`${where}: expected Conv -> hard-swish before the head, found ${producer.get(feature)?.opType ?? 'no node'}`);
  const [input, weightName, biasName] = conv.inputs;
  const w = view.initializers.get(weightName ?? '');
  if (!input || !w || !biasName || !view.initializers.has(biasName) || w.dims.length !== 4 || w.dims[2] !== 1 || w.dims[3] !== 1) {
    throw new OnnxGraphError(`${where}: Conv ${conv.name} is not a 1x1 conv with initializer weight and bias`);
  }
  return {
    input, conv, channels: w.dims[0]!, inChannels: w.dims[1]!,
    weight: readFloatInitializer(view, weightName!), bias: readFloatInitializer(view, biasName),
  };
}
