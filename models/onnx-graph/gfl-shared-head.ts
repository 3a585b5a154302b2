import { readIntsAttribute, readTensorAttribute, readValueInfoDims } from './onnx-graph-edit.ts';
import { OnnxGraphError } from './onnx-graph-error.ts';
import { readFloatInitializer, readFloatTensor, readInt64Initializer, readTensorDims, type OnnxGraphView, type OnnxNode } from './onnx-graph-read.ts';

const GRAPH_OUTPUT = 12;

/**
 * One pyramid level of a PicoDet-style GFL head whose last 1x1 conv computes class logits and box
 * distributions together:
 *   feature -> Conv(W [C + R, F, 1, 1], bias) -> Split([C, R]) -> Sigmoid -> Reshape([1, C, -1]) -> Transpose -> class output
 *                                                      \-> (box branch, left alone)
 */
export interface GflHeadLevel {
  /** The graph output with the class scores [1, cells, C]. */
  readonly classOutput: string;
  /** The tensor feeding the shared conv: [1, F, H, W]. */
  readonly feature: string;
  readonly conv: OnnxNode;
  readonly split: OnnxNode;
  readonly sigmoid: OnnxNode;
  readonly reshape: OnnxNode;
  /** Name of the conv's weight initializer. */
  readonly weightName: string;
  /** Name of the conv's bias tensor (an initializer or a Constant node's output). */
  readonly biasName: string;
  /** The Constant node producing the bias, when it is not an initializer. */
  readonly biasNode: OnnxNode | undefined;
  /** Feature channels F. */
  readonly featureChannels: number;
  /** Class channels C now in the graph. */
  readonly classes: number;
  /** Box channels R (4 x (regMax + 1)). */
  readonly boxChannels: number;
  /** Anchor cells of this level (H x W), from the class output's declared shape. */
  readonly cells: number;
  /** Conv weight [C + R, F] (1x1 kernel), row-major. */
  readonly weight: Float32Array;
  /** Conv bias [C + R]. */
  readonly bias: Float32Array;
}

/** Finds the shared class/box conv of every level, from the class output names (in level order). */
export function findGflHeadLevels(view: OnnxGraphView, classOutputs: readonly string[]): GflHeadLevel[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of view.nodes) for (const o of n.outputs) producer.set(o, n);
  const step = (tensor: string, op: string, where: string): OnnxNode => {
    const node = producer.get(tensor);
    if (!node || node.opType !== op) {
      throw new OnnxGraphError(
        `${where}: expected "${tensor}" to come from a ${op} node (PicoDet's Conv -> Split -> Sigmoid -> Reshape -> Transpose head), found ${node ? node.opType : 'no node'}`,
      );
    }
    return node;
  };
  return classOutputs.map((classOutput) => {
    const where = `class output "${classOutput}"`;
    const transpose = step(classOutput, 'Transpose', where);
    const reshape = step(transpose.inputs[0] ?? '', 'Reshape', where);
    const sigmoid = step(reshape.inputs[0] ?? '', 'Sigmoid', where);
    const split = step(sigmoid.inputs[0] ?? '', 'Split', where);
    if (split.outputs[0] !== sigmoid.inputs[0] || split.outputs.length !== 2) throw new OnnxGraphError(`${where}: the class scores must be the first of two Split outputs`);
    const conv = step(split.inputs[0] ?? '', 'Conv', where);
    const [feature, weightName, biasName] = conv.inputs;
    if (!feature || !weightName || !biasName) throw new OnnxGraphError(`${where}: the head conv ${conv.name} needs a weight and a bias`);
    const init = view.initializers.get(weightName);
    if (!init || init.dims.length !== 4 || init.dims[2] !== 1 || init.dims[3] !== 1) {
      throw new OnnxGraphError(`${where}: the head conv ${conv.name} must be 1x1 with an initializer weight, found ${init ? `[${init.dims.join(',')}]` : 'no initializer'}`);
    }
    const sizes = readIntsAttribute(view, split, 'split');
    const [classes, boxChannels] = sizes ?? [];
    if (classes === undefined || boxChannels === undefined || classes + boxChannels !== init.dims[0]) {
      throw new OnnxGraphError(`${where}: Split ${split.name} must split the conv's ${init.dims[0]} channels in two ("split" attribute, opset 11)`);
    }
    const biasNode = view.initializers.has(biasName) ? undefined : producer.get(biasName);
    const bias = readBias(view, biasName, biasNode, where);
    const outputField = view.graphFields.filter((f) => f.fieldNumber === GRAPH_OUTPUT)[view.outputNames.indexOf(classOutput)];
    const dims = outputField ? readValueInfoDims(view.bytes, outputField) : [];
    const cells = dims[1];
    if (cells === undefined || cells <= 0) throw new OnnxGraphError(`${where}: the graph output declares no [1, cells, classes] shape`);
    const shape = readInt64Initializer(view, reshape.inputs[1] ?? '');
    if (shape.length !== 3 || shape[1] !== classes) throw new OnnxGraphError(`${where}: Reshape ${reshape.name} shape [${shape.join(',')}] is not [1, ${classes}, -1]`);
    return {
      classOutput, feature, conv, split, sigmoid, reshape, weightName, biasName, biasNode,
      featureChannels: init.dims[1]!, classes, boxChannels, cells,
      weight: readFloatInitializer(view, weightName), bias,
    };
  });
}

function readBias(view: OnnxGraphView, name: string, node: OnnxNode | undefined, where: string): Float32Array {
  if (!node) return readFloatInitializer(view, name);
  if (node.opType !== 'Constant') throw new OnnxGraphError(`${where}: the head conv bias "${name}" comes from a ${node.opType}, expected an initializer or a Constant`);
  const tensor = readTensorAttribute(view, node, 'value');
  if (!tensor) throw new OnnxGraphError(`${where}: Constant ${node.name} has no tensor "value"`);
  if (readTensorDims(view.bytes, tensor).length !== 1) throw new OnnxGraphError(`${where}: the head conv bias is not a vector`);
  return readFloatTensor(view.bytes, tensor, `Constant ${node.name}`);
}
