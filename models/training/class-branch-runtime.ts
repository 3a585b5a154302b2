import * as ort from 'onnxruntime-node';
import { GraphField } from '../onnx-graph/onnx-graph-edit.ts';
import { floatTensor, floatValueInfo, int64Tensor, intAttribute, intsAttribute, modelProto, nodeProto } from '../onnx-graph/onnx-messages.ts';
import { createSession } from '../onnx-session.ts';
import type { AnchorGrid } from './anchor-grid.ts';
import { levelLayout, type ClassHead } from './class-head.ts';

type Field = readonly [number, Uint8Array];

/** One conv of the tuned class branch: where its weights and biases sit in `head.params` and its shape. */
interface BranchLayer {
  readonly kind: 'depthwise' | 'pointwise';
  readonly weight: number;
  readonly bias: number;
  readonly end: number;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Hard-swish after the conv (every layer but the class conv). */
  readonly activation: boolean;
}

/** The forward pass of one image, kept for its backward pass: every layer's input and pre-activation per level (runtime tensors). */
export interface BranchPass {
  /** Class logits, anchor-major [anchors, classes]. */
  readonly logits: Float32Array;
  readonly tensors: Readonly<Record<string, ort.Tensor>>;
  /** The weight tensors the forward pass was fed (the parameters do not change before its backward pass). */
  readonly weights: Readonly<Record<string, ort.Tensor>>;
}

/**
 * The tuned class branch of a "tuned-tower" or "tuned-full-tower" head (class-head.ts) run by
 * onnxruntime over every cell of every level, forward and backward, instead of JavaScript loops
 * per chosen anchor: ~5x faster, with the same arithmetic. Two graphs are built once per head
 * shape and grid and take the current weights as inputs on every run:
 * - forward: per level the cached features [1, rows, cols, features] (anchor-major, as cached) ->
 *   [front depthwise + hard-swish -> pointwise + hard-swish] -> depthwise + hard-swish ->
 *   pointwise + hard-swish -> class conv; the logits anchor-major, and every layer's input and
 *   pre-activation for the backward pass;
 * - backward: from d(loss)/d(logits) (dense; zero at anchors the step skipped), layer by layer:
 *   hard-swish gradient, bias gradient (a sum over cells), pointwise weight and input gradients
 *   (MatMuls), depthwise weight gradient (the layer input convolved channel by channel with the
 *   gradient map as kernel, padded to give k x k values) and input gradient (a depthwise conv
 *   with the kernel flipped).
 * Sums run in float32 in the runtime (the JavaScript reference sums in float64);
 * class-branch-runtime.int.test checks both agree. One thread: runs are deterministic.
 */
export class ClassBranchRuntime {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly head: ClassHead,
    private readonly grid: AnchorGrid,
    private readonly layers: readonly (readonly BranchLayer[])[],
    private readonly forwardSession: ort.InferenceSession,
    private readonly backwardSession: ort.InferenceSession,
  ) {}

  /** True for the heads this runtime runs: a tuned depthwise + pointwise branch (with or without the front block). */
  static supports(head: ClassHead): boolean {
    return head.hidden > 0 && head.kernel > 0;
  }

  /** Builds and loads both graphs for `head` on `grid`. */
  static async open(head: ClassHead, grid: AnchorGrid): Promise<ClassBranchRuntime> {
    if (!ClassBranchRuntime.supports(head)) throw new RangeError('ClassBranchRuntime: the head has no tuned depthwise + pointwise branch');
    const layers = grid.cols.map((_, l) => branchLayers(head, l));
    const forward = await createSession(forwardGraph(head, grid, layers), 'tuned class branch (forward)', 1);
    try {
      return new ClassBranchRuntime(head, grid, layers, forward, await createSession(backwardGraph(head, grid, layers), 'tuned class branch (backward)', 1));
    } catch (err) {
      await forward.release();
      throw err;
    }
  }

  /** The branch's logits for every anchor of one image's cached features, and what its backward pass needs. */
  async forward(features: Float32Array): Promise<BranchPass> {
    const { head, grid } = this;
    const f = head.features;
    const weights = this.weightFeeds();
    const feeds: Record<string, ort.Tensor> = { ...weights };
    for (let l = 0; l < grid.cols.length; l++) feeds[`x${l}`] = this.levelTensor(features, l, f);
    const out = await this.forwardSession.run(feeds);
    const logits = new Float32Array(grid.count * head.classes);
    for (let l = 0; l < grid.cols.length; l++) logits.set(out[`logits${l}`]!.data as Float32Array, grid.levelStart[l]! * head.classes);
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(out)) if (!name.startsWith('logits')) tensors[name] = t;
    for (let l = 0; l < grid.cols.length; l++) tensors[`x${l}`] = feeds[`x${l}`]!;
    return { logits, tensors, weights };
  }

  /** Adds d(loss)/d(params) into `grad`, given d(loss)/d(logits) anchor-major [anchors, classes] for `pass`. */
  async backward(pass: BranchPass, dLogits: Float32Array, grad: Float64Array): Promise<void> {
    const { grid } = this;
    // The backward graph reads every layer's weights but the first's (no input gradient there) and no biases.
    const weights = Object.entries(pass.weights).filter(([name]) => name.startsWith('w') && !name.endsWith('_0'));
    const feeds: Record<string, ort.Tensor> = { ...pass.tensors, ...Object.fromEntries(weights) };
    for (let l = 0; l < grid.cols.length; l++) feeds[`dlogits${l}`] = this.levelTensor(dLogits, l, this.head.classes);
    const out = await this.backwardSession.run(feeds);
    this.layers.forEach((layers, l) =>
      layers.forEach((layer, i) => {
        addInto(grad, layer.weight, out[`gw${l}_${i}`]!.data as Float32Array);
        addInto(grad, layer.bias, out[`gb${l}_${i}`]!.data as Float32Array);
      }),
    );
  }

  /** Releases both sessions. Safe to call twice. */
  async close(): Promise<void> {
    this.closing ??= Promise.all([this.forwardSession.release(), this.backwardSession.release()]).then(() => {});
    await this.closing;
  }

  private weightFeeds(): Record<string, ort.Tensor> {
    const { head } = this;
    const k = head.kernel;
    const feeds: Record<string, ort.Tensor> = {};
    this.layers.forEach((layers, l) =>
      layers.forEach((layer, i) => {
        const dims = layer.kind === 'depthwise' ? [layer.outChannels, 1, k, k] : [layer.outChannels, layer.inChannels, 1, 1];
        feeds[`w${l}_${i}`] = new ort.Tensor('float32', head.params.slice(layer.weight, layer.bias), dims);
        feeds[`b${l}_${i}`] = new ort.Tensor('float32', head.params.slice(layer.bias, layer.end), [layer.outChannels]);
      }),
    );
    return feeds;
  }

  /** Level l of an anchor-major array with `channels` values per anchor, as [1, rows, cols, channels]. */
  private levelTensor(data: Float32Array, l: number, channels: number): ort.Tensor {
    const { grid } = this;
    const start = grid.levelStart[l]! * channels;
    return new ort.Tensor('float32', data.slice(start, start + grid.cols[l]! * grid.rows[l]! * channels), [1, grid.rows[l]!, grid.cols[l]!, channels]);
  }
}

function addInto(grad: Float64Array, at: number, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) grad[at + i]! += values[i]!;
}

/** Level l's convs in order, from the cached features to the logits. */
function branchLayers(head: ClassHead, l: number): BranchLayer[] {
  const at = levelLayout(head, l);
  const { features: f, hidden, classes } = head;
  const front: BranchLayer[] = head.front
    ? [
        { kind: 'depthwise', weight: at.fdw, bias: at.fdwb, end: at.fpw, inChannels: f, outChannels: f, activation: true },
        { kind: 'pointwise', weight: at.fpw, bias: at.fpwb, end: at.dw, inChannels: f, outChannels: f, activation: true },
      ]
    : [];
  return [
    ...front,
    { kind: 'depthwise', weight: at.dw, bias: at.dwb, end: at.w1, inChannels: f, outChannels: f, activation: true },
    { kind: 'pointwise', weight: at.w1, bias: at.b1, end: at.w2, inChannels: f, outChannels: hidden, activation: true },
    { kind: 'pointwise', weight: at.w2, bias: at.b2, end: at.end, inChannels: hidden, outChannels: classes, activation: false },
  ];
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

function graphBuilder(): { fields: Field[]; node: (op: string, inputs: string[], output: string, attributes?: Uint8Array[]) => void } {
  const fields: Field[] = [];
  const node = (op: string, inputs: string[], output: string, attributes: Uint8Array[] = []): void => {
    fields.push([GraphField.node, nodeProto(op, output, inputs, [output], attributes)]);
  };
  return { fields, node };
}

function depthwiseAttributes(channels: number, kernel: readonly [number, number], pad: number): Uint8Array[] {
  return [intsAttribute('kernel_shape', kernel), intsAttribute('pads', [pad, pad, pad, pad]), intsAttribute('strides', [1, 1]), intsAttribute('dilations', [1, 1]), intAttribute('group', channels)];
}

function weightInputs(fields: Field[], layers: readonly BranchLayer[], l: number, k: number): void {
  layers.forEach((layer, i) => {
    const dims = layer.kind === 'depthwise' ? [layer.outChannels, 1, k, k] : [layer.outChannels, layer.inChannels, 1, 1];
    fields.push([GraphField.input, floatValueInfo(`w${l}_${i}`, dims)], [GraphField.input, floatValueInfo(`b${l}_${i}`, [layer.outChannels])]);
  });
}

function forwardGraph(head: ClassHead, grid: AnchorGrid, levels: readonly (readonly BranchLayer[])[]): Uint8Array {
  const k = head.kernel;
  const { fields, node } = graphBuilder();
  levels.forEach((layers, l) => {
    const [rows, cols] = [grid.rows[l]!, grid.cols[l]!];
    fields.push([GraphField.input, floatValueInfo(`x${l}`, [1, rows, cols, head.features])]);
    weightInputs(fields, layers, l, k);
    node('Transpose', [`x${l}`], `in${l}_0`, [intsAttribute('perm', NHWC_TO_NCHW)]);
    layers.forEach((layer, i) => {
      const attributes = layer.kind === 'depthwise' ? depthwiseAttributes(layer.outChannels, [k, k], (k - 1) / 2) : [];
      node('Conv', [`in${l}_${i}`, `w${l}_${i}`, `b${l}_${i}`], `z${l}_${i}`, attributes);
      if (layer.activation) {
        node('HardSwish', [`z${l}_${i}`], `in${l}_${i + 1}`);
        fields.push([GraphField.output, floatValueInfo(`z${l}_${i}`)], [GraphField.output, floatValueInfo(`in${l}_${i + 1}`)]);
      }
    });
    node('Transpose', [`z${l}_${layers.length - 1}`], `logits${l}`, [intsAttribute('perm', NCHW_TO_NHWC)]);
    fields.push([GraphField.output, floatValueInfo(`logits${l}`, [1, rows, cols, head.classes])]);
  });
  return modelProto('tuned class branch forward', fields, 14);
}

function backwardGraph(head: ClassHead, grid: AnchorGrid, levels: readonly (readonly BranchLayer[])[]): Uint8Array {
  const k = head.kernel;
  const pad = (k - 1) / 2;
  const { fields, node } = graphBuilder();
  const scalar = (name: string, v: number): void => {
    fields.push([GraphField.initializer, floatTensor(name, [], Float32Array.of(v))]);
  };
  scalar('c_m3', -3);
  scalar('c_3', 3);
  scalar('c_0', 0);
  scalar('c_1', 1);
  scalar('c_2', 2);
  scalar('c_6', 6);
  fields.push(
    [GraphField.initializer, int64Tensor('axes_nhw', [0, 2, 3])],
    [GraphField.initializer, int64Tensor('flip_starts', [-1, -1])],
    [GraphField.initializer, int64Tensor('flip_ends', [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])],
    [GraphField.initializer, int64Tensor('flip_axes', [2, 3])],
    [GraphField.initializer, int64Tensor('flip_steps', [-1, -1])],
  );
  /** d(hard-swish)/dz: 0 below -3, 1 above 3, (2z + 3) / 6 between. */
  const hardSwishGrad = (z: string, q: string): string => {
    node('Mul', [z, 'c_2'], `${q}_2z`);
    node('Add', [`${q}_2z`, 'c_3'], `${q}_2z3`);
    node('Div', [`${q}_2z3`, 'c_6'], `${q}_mid`);
    node('Less', [z, 'c_m3'], `${q}_lo`);
    node('Greater', [z, 'c_3'], `${q}_hi`);
    node('Where', [`${q}_hi`, 'c_1', `${q}_mid`], `${q}_w1`);
    node('Where', [`${q}_lo`, 'c_0', `${q}_w1`], `${q}_g`);
    return `${q}_g`;
  };
  levels.forEach((layers, l) => {
    const [rows, cols] = [grid.rows[l]!, grid.cols[l]!];
    const cells = rows * cols;
    fields.push([GraphField.input, floatValueInfo(`x${l}`, [1, rows, cols, head.features])], [GraphField.input, floatValueInfo(`dlogits${l}`, [1, rows, cols, head.classes])]);
    layers.forEach((layer, i) => {
      if (layer.activation) fields.push([GraphField.input, floatValueInfo(`z${l}_${i}`)]);
      if (i > 0) fields.push([GraphField.input, floatValueInfo(`in${l}_${i}`)], [GraphField.input, floatValueInfo(`w${l}_${i}`)]);
    });
    node('Transpose', [`x${l}`], `in${l}_0`, [intsAttribute('perm', NHWC_TO_NCHW)]);
    node('Transpose', [`dlogits${l}`], `dout${l}_${layers.length - 1}`, [intsAttribute('perm', NHWC_TO_NCHW)]);
    const shape = (name: string, dims: number[]): string => {
      fields.push([GraphField.initializer, int64Tensor(name, dims)]);
      return name;
    };
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      const q = `${l}_${i}`;
      let dz = `dout${q}`;
      if (layer.activation) {
        node('Mul', [dz, hardSwishGrad(`z${q}`, `hsg${q}`)], `dz${q}`);
        dz = `dz${q}`;
      }
      node('ReduceSum', [dz, 'axes_nhw'], `gb${q}`, [intAttribute('keepdims', 0)]);
      fields.push([GraphField.output, floatValueInfo(`gb${q}`)]);
      if (layer.kind === 'pointwise') {
        node('Reshape', [dz, shape(`s_out${q}`, [layer.outChannels, cells])], `dzm${q}`);
        node('Reshape', [`in${q}`, shape(`s_in${q}`, [layer.inChannels, cells])], `inm${q}`);
        node('Transpose', [`inm${q}`], `inmt${q}`, [intsAttribute('perm', [1, 0])]);
        node('MatMul', [`dzm${q}`, `inmt${q}`], `gwm${q}`);
        node('Reshape', [`gwm${q}`, shape(`s_w${q}`, [layer.outChannels, layer.inChannels, 1, 1])], `gw${q}`);
        if (i > 0) {
          node('Reshape', [`w${q}`, shape(`s_wm${q}`, [layer.outChannels, layer.inChannels])], `wm${q}`);
          node('Transpose', [`wm${q}`], `wmt${q}`, [intsAttribute('perm', [1, 0])]);
          node('MatMul', [`wmt${q}`, `dzm${q}`], `dinm${q}`);
          node('Reshape', [`dinm${q}`, shape(`s_din${q}`, [1, layer.inChannels, rows, cols])], `dout${l}_${i - 1}`);
        }
      } else {
        node('Reshape', [dz, shape(`s_map${q}`, [layer.outChannels, 1, rows, cols])], `dzk${q}`);
        node('Conv', [`in${q}`, `dzk${q}`], `gw${q}`, depthwiseAttributes(layer.outChannels, [rows, cols], pad));
        if (i > 0) {
          node('Slice', [`w${q}`, 'flip_starts', 'flip_ends', 'flip_axes', 'flip_steps'], `wflip${q}`);
          node('Conv', [dz, `wflip${q}`], `dout${l}_${i - 1}`, depthwiseAttributes(layer.outChannels, [k, k], pad));
        }
      }
      fields.push([GraphField.output, floatValueInfo(`gw${q}`)]);
    }
  });
  return modelProto('tuned class branch backward', fields, 14);
}
