import type { GflHeadLevel } from './gfl-shared-head.ts';
import { editGraph, GraphField, rewriteNode } from './onnx-graph-edit.ts';
import type { OnnxGraphView } from './onnx-graph-read.ts';
import { floatTensor, floatValueInfo, int64Tensor, intAttribute, intsAttribute, nodeProto } from './onnx-messages.ts';
import type { TowerDepthwise } from './tower-depthwise.ts';
import type { TowerFrontBlock } from './tower-front-block.ts';
import type { TowerPointwise } from './tower-pointwise.ts';
import { readFields } from './protobuf-wire.ts';

/** New class-logit weights for one level: [classes, featureChannels] row-major, and [classes] biases. */
export interface ClassHeadWeights {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Replaces the class part of each level's shared head conv with new weights for `classes`
 * classes, keeping the box rows (and so the box regression) bit for bit. Edits in place: the
 * conv weight and bias, the Split sizes, the Reshape shape and the declared output shape; every
 * value_info on the changed path is dropped (onnxruntime infers it again). Costs nothing at run
 * time beyond the smaller conv.
 */
export function graftGflClassHead(view: OnnxGraphView, levels: readonly GflHeadLevel[], classes: number, heads: readonly ClassHeadWeights[]): Uint8Array {
  return editGraph(view, classHeadEdit(view, levels, classes, heads));
}

interface MutableEdit {
  readonly remove: Set<number>;
  readonly replace: Map<number, Uint8Array>;
  readonly append: [number, Uint8Array][];
}

function classHeadEdit(view: OnnxGraphView, levels: readonly GflHeadLevel[], classes: number, heads: readonly ClassHeadWeights[]): MutableEdit {
  if (heads.length !== levels.length) throw new RangeError(`${heads.length} heads for ${levels.length} levels`);
  const remove = new Set<number>();
  const replace = new Map<number, Uint8Array>();
  const append: [number, Uint8Array][] = [];
  const changedTensors = new Set<string>();
  const fieldOfInitializer = (name: string): number => view.initializers.get(name)!.field.start;
  const newShapes = new Map<string, string>();

  levels.forEach((level, i) => {
    const head = heads[i]!;
    const f = level.featureChannels;
    if (head.weight.length !== classes * f || head.bias.length !== classes) throw new RangeError(`level ${i}: head needs ${classes}x${f} weights and ${classes} biases`);
    const rows = classes + level.boxChannels;
    const weight = new Float32Array(rows * f);
    weight.set(head.weight);
    weight.set(level.weight.subarray(level.classes * f), classes * f);
    const bias = new Float32Array(rows);
    bias.set(head.bias);
    bias.set(level.bias.subarray(level.classes), classes);
    replace.set(fieldOfInitializer(level.weightName), floatTensor(level.weightName, [rows, f, 1, 1], weight));
    if (level.biasNode) {
      remove.add(level.biasNode.field.start);
      append.push([GraphField.initializer, floatTensor(level.biasName, [rows], bias)]);
    } else replace.set(fieldOfInitializer(level.biasName), floatTensor(level.biasName, [rows], bias));
    replace.set(level.split.field.start, rewriteNode(view, level.split, { attributes: new Map([['split', intsAttribute('split', [classes, level.boxChannels])]]) }));
    const oldShape = level.reshape.inputs[1]!;
    const shapeName = `${oldShape}_classes${classes}`;
    if (!newShapes.has(oldShape)) {
      newShapes.set(oldShape, shapeName);
      append.push([GraphField.initializer, int64Tensor(shapeName, [1, classes, -1])]);
    }
    replace.set(level.reshape.field.start, rewriteNode(view, level.reshape, { inputs: new Map([[1, shapeName]]) }));
    for (const t of [...level.conv.outputs, ...level.split.outputs, ...level.reshape.inputs.slice(0, 1), ...level.reshape.outputs, level.classOutput]) changedTensors.add(t);
  });

  const outputFields = view.graphFields.filter((g) => g.fieldNumber === GraphField.output);
  levels.forEach((level) => {
    const field = outputFields[view.outputNames.indexOf(level.classOutput)]!;
    replace.set(field.start, floatValueInfo(level.classOutput, [1, level.cells, classes]));
  });
  for (const g of view.graphFields) {
    if (g.fieldNumber !== GraphField.valueInfo) continue;
    const name = readFields(view.bytes, 'ValueInfoProto', g.valueStart, g.end).find((v) => v.fieldNumber === 1);
    if (name && changedTensors.has(new TextDecoder().decode(view.bytes.subarray(name.valueStart, name.end)))) remove.add(g.start);
  }
  return { remove, replace, append };
}

/**
 * Adds graph outputs for intermediate tensors (float, shape left to onnxruntime), so one run
 * returns the features the training caches alongside the model's own outputs.
 */
export function addGraphOutputs(view: OnnxGraphView, names: readonly string[]): Uint8Array {
  const fresh = names.filter((n) => !view.outputNames.includes(n));
  return editGraph(view, { append: fresh.map((n) => [GraphField.output, floatValueInfo(n)] as const) });
}

/** Weights of a tuned class branch for one level: a pointwise conv + hard-swish, then the class conv. */
export interface TunedBranchWeights extends ClassHeadWeights {
  /** [hidden, inChannels] row-major. */
  readonly hiddenWeight: Float32Array;
  readonly hiddenBias: Float32Array;
  /** With a tuned depthwise conv before the pointwise one: [channels, k x k] row-major, and [channels]. */
  readonly depthwiseWeight?: Float32Array;
  readonly depthwiseBias?: Float32Array;
  /** With a tuned copy of the tower's first block before the depthwise conv: its weights. */
  readonly front?: {
    readonly depthwise: { readonly weight: Float32Array; readonly bias: Float32Array };
    readonly pointwise: { readonly weight: Float32Array; readonly bias: Float32Array };
  };
}

/**
 * Grafts a separate class branch per level: a tuned copy of the tower's last pointwise conv
 * (reading the same input as the shipped one), hard-swish, and a 1x1 conv to `classes` logits,
 * feeding the class Sigmoid. With `depthwise` (and depthwise weights in every branch) the branch
 * starts one step earlier: a tuned copy of the tower's last depthwise conv (same kernel, group,
 * pads) + hard-swish on that conv's input, then the pointwise conv on its output. With `front`
 * too, a tuned copy of the tower's first block (depthwise + hard-swish + pointwise + hard-swish,
 * reading the tower's input) feeds that depthwise copy: the whole class tower is tuned. The shipped
 * tower and conv keep computing the box distributions unchanged; the shipped conv's class rows
 * shrink to `classes` zero rows nobody reads.
 */
export function graftTunedClassBranch(
  view: OnnxGraphView,
  levels: readonly GflHeadLevel[],
  towers: readonly TowerPointwise[],
  classes: number,
  branches: readonly TunedBranchWeights[],
  depthwise: readonly TowerDepthwise[] = [],
  front: readonly TowerFrontBlock[] = [],
): Uint8Array {
  const zero = levels.map((l) => ({ weight: new Float32Array(classes * l.featureChannels), bias: new Float32Array(classes) }));
  const edit = classHeadEdit(view, levels, classes, zero);
  const insertBefore = new Map<number, [number, Uint8Array][]>();
  const c = (name: string, v: number): [number, Uint8Array] => [GraphField.initializer, floatTensor(name, [], Float32Array.of(v))];
  edit.append.push(c('gw_hswish_3', 3), c('gw_hswish_0', 0), c('gw_hswish_6', 6));
  levels.forEach((level, l) => {
    const tower = towers[l]!;
    const b = branches[l]!;
    const hidden = b.hiddenBias.length;
    const p = `gw_cls_${l}`;
    edit.append.push(
      [GraphField.initializer, floatTensor(`${p}_w1`, [hidden, tower.inChannels, 1, 1], b.hiddenWeight)],
      [GraphField.initializer, floatTensor(`${p}_b1`, [hidden], b.hiddenBias)],
      [GraphField.initializer, floatTensor(`${p}_w2`, [classes, hidden, 1, 1], b.weight)],
      [GraphField.initializer, floatTensor(`${p}_b2`, [classes], b.bias)],
    );
    const nodes: [number, Uint8Array][] = [];
    const hardSwish = (z: string, out: string, q: string): void => {
      nodes.push(
        [GraphField.node, nodeProto('Add', `${q}_add`, [z, 'gw_hswish_3'], [`${q}_z3`])],
        [GraphField.node, nodeProto('Clip', `${q}_clip`, [`${q}_z3`, 'gw_hswish_0', 'gw_hswish_6'], [`${q}_relu6`])],
        [GraphField.node, nodeProto('Mul', `${q}_mul`, [z, `${q}_relu6`], [`${q}_zr`])],
        [GraphField.node, nodeProto('Div', `${q}_div`, [`${q}_zr`, 'gw_hswish_6'], [out])],
      );
    };
    const depthwiseConv = (q: string, input: string, conv: TowerDepthwise, weight: Float32Array, bias: Float32Array): void => {
      const k = conv.kernel;
      const pad = (k - 1) / 2;
      edit.append.push(
        [GraphField.initializer, floatTensor(`${q}_w`, [conv.channels, 1, k, k], weight)],
        [GraphField.initializer, floatTensor(`${q}_b`, [conv.channels], bias)],
      );
      const attributes = [intsAttribute('kernel_shape', [k, k]), intsAttribute('pads', [pad, pad, pad, pad]), intsAttribute('strides', [1, 1]), intsAttribute('dilations', [1, 1]), intAttribute('group', conv.channels)];
      nodes.push([GraphField.node, nodeProto('Conv', `${q}_conv`, [input, `${q}_w`, `${q}_b`], [`${q}_z`], attributes)]);
      hardSwish(`${q}_z`, `${q}_h`, q);
    };
    let pointwiseInput = tower.input;
    const dw = depthwise[l];
    if (depthwise.length) {
      if (!dw || !b.depthwiseWeight || !b.depthwiseBias) throw new RangeError(`level ${l}: a depthwise branch needs the tower's depthwise conv and its tuned weights`);
      let depthwiseInput = dw.input;
      if (front.length) {
        const block = front[l];
        if (!block || !b.front) throw new RangeError(`level ${l}: a full-tower branch needs the tower's first block and its tuned weights`);
        const f = block.pointwise;
        depthwiseConv(`${p}_f0`, block.depthwise.input, block.depthwise, b.front.depthwise.weight, b.front.depthwise.bias);
        edit.append.push(
          [GraphField.initializer, floatTensor(`${p}_f1_w`, [f.channels, f.inChannels, 1, 1], b.front.pointwise.weight)],
          [GraphField.initializer, floatTensor(`${p}_f1_b`, [f.channels], b.front.pointwise.bias)],
        );
        nodes.push([GraphField.node, nodeProto('Conv', `${p}_f1_conv`, [`${p}_f0_h`, `${p}_f1_w`, `${p}_f1_b`], [`${p}_f1_z`])]);
        hardSwish(`${p}_f1_z`, `${p}_f1_h`, `${p}_f1`);
        depthwiseInput = `${p}_f1_h`;
      }
      depthwiseConv(`${p}_0`, depthwiseInput, dw, b.depthwiseWeight, b.depthwiseBias);
      pointwiseInput = `${p}_0_h`;
    }
    nodes.push([GraphField.node, nodeProto('Conv', `${p}_conv1`, [pointwiseInput, `${p}_w1`, `${p}_b1`], [`${p}_z`])]);
    hardSwish(`${p}_z`, `${p}_h`, p);
    nodes.push([GraphField.node, nodeProto('Conv', `${p}_conv2`, [`${p}_h`, `${p}_w2`, `${p}_b2`], [`${p}_logits`])]);
    insertBefore.set(level.sigmoid.field.start, nodes);
    edit.replace.set(level.sigmoid.field.start, rewriteNode(view, level.sigmoid, { inputs: new Map([[0, `${p}_logits`]]) }));
  });
  return editGraph(view, { ...edit, insertBefore });
}
