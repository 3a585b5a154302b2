import { hasAttribute, readIntAttribute, readIntsAttribute } from './onnx-graph-edit.ts';
import { hardSwishInput, producers } from './hard-swish.ts';
import { OnnxGraphError } from './onnx-graph-error.ts';
import { readFloatInitializer, type OnnxGraphView, type OnnxNode } from './onnx-graph-read.ts';

/** The depthwise k x k conv + hard-swish that feeds the tower's last pointwise conv (PicoDet's tower). */
export interface TowerDepthwise {
  /** The conv's input tensor [1, channels, H, W]. */
  readonly input: string;
  readonly conv: OnnxNode;
  readonly channels: number;
  /** Kernel side k (odd; stride 1, dilation 1, "same" zero padding (k - 1) / 2 on every side). */
  readonly kernel: number;
  /** [channels, k x k] row-major (one k x k filter per channel). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Walks back from `pointwiseInput` (the input of the tower's last pointwise conv) through
 * hard-swish to the depthwise Conv that produces it, and checks it is the kind training can
 * copy exactly: group = channels, one input channel per filter, square odd kernel, stride 1,
 * dilation 1, symmetric "same" padding (no auto_pad, which would override `pads`), initializer weight and bias.
 * @throws OnnxGraphError when the graph has another shape there.
 */
export function findTowerDepthwise(view: OnnxGraphView, pointwiseInput: string): TowerDepthwise {
  const producer = producers(view.nodes);
  const where = `tower tensor "${pointwiseInput}"`;
  const conv = producer.get(hardSwishInput(producer, pointwiseInput) ?? '');
  if (!conv || conv.opType !== 'Conv') throw new OnnxGraphError(`${where}: expected depthwise Conv -> hard-swish before the last pointwise conv, found ${producer.get(pointwiseInput)?.opType ?? 'no node'}`);
  const [input, weightName, biasName] = conv.inputs;
  const w = view.initializers.get(weightName ?? '');
  const channels = w?.dims[0] ?? 0;
  const kernel = w?.dims[2] ?? 0;
  const group = readIntAttribute(view, conv, 'group') ?? 1;
  const ints = (name: string): number[] => readIntsAttribute(view, conv, name) ?? [];
  const pad = (kernel - 1) / 2;
  const ok =
    input && w && biasName && view.initializers.has(biasName) && w.dims.length === 4 && w.dims[1] === 1 && w.dims[3] === kernel && kernel % 2 === 1 &&
    group === channels && ints('strides').every((s) => s === 1) && ints('dilations').every((d) => d === 1) &&
    ints('pads').length === 4 && ints('pads').every((p) => p === pad) && !hasAttribute(view, conv, 'auto_pad');
  if (!ok) throw new OnnxGraphError(`${where}: Conv ${conv.name} is not a depthwise k x k conv (group = channels, stride 1, dilation 1, pads (k - 1) / 2) with initializer weight and bias`);
  return { input: input!, conv, channels, kernel, weight: readFloatInitializer(view, weightName!), bias: readFloatInitializer(view, biasName!) };
}

