import * as ort from 'onnxruntime-node';
import { GraphField } from '../onnx-graph/onnx-graph-edit.ts';
import { floatTensor, floatValueInfo, int64Tensor, intAttribute, intsAttribute, modelProto, nodeProto } from '../onnx-graph/onnx-messages.ts';
import { createSession } from '../onnx-session.ts';
import type { AnchorGrid } from './anchor-grid.ts';
import { levelLayout, type ClassHead } from './class-head.ts';
import type { FrontPass } from './tower-front.ts';

type Field = readonly [number, Uint8Array];

/**
 * The tuned front block (tower-front.ts) run by onnxruntime instead of JavaScript loops: the same
 * arithmetic over every cell of every level, ~10x faster, so tuning the whole tower costs little
 * more than tuning its last block. Two small graphs, built once per head shape and grid, take the
 * current weights as inputs on every run:
 * - forward: per level, the cached tower input [1, rows, cols, features] (anchor-major, as cached)
 *   -> depthwise conv + HardSwish -> pointwise conv + HardSwish, returning both pre-activations and
 *   both activations, anchor-major;
 * - backward: from d(loss)/d(output) the pointwise gradients (a MatMul of the pre-activation
 *   gradient with the block's hidden activation), d(loss)/d(hidden) (a MatMul with the weights),
 *   and the depthwise weight gradient as a depthwise convolution of the input by the gradient map
 *   (kernel rows x cols, padded so it yields k x k values per channel).
 * Sums run in float32 in the runtime (the JavaScript path sums in float64); tower-front-runtime.test
 * checks both agree. One thread: runs are deterministic.
 */
export class FrontRuntime {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly head: ClassHead,
    private readonly grid: AnchorGrid,
    private readonly forwardSession: ort.InferenceSession,
    private readonly backwardSession: ort.InferenceSession,
  ) {}

  /** Builds and loads both graphs for `head` (which must have a front block) on `grid`. */
  static async open(head: ClassHead, grid: AnchorGrid): Promise<FrontRuntime> {
    if (!head.front) throw new RangeError('FrontRuntime: the head has no front block');
    const forward = await createSession(forwardGraph(head, grid), 'tuned front block (forward)', 1);
    try {
      return new FrontRuntime(head, grid, forward, await createSession(backwardGraph(head, grid), 'tuned front block (backward)', 1));
    } catch (err) {
      await forward.release();
      throw err;
    }
  }

  /** Fills pass.z0, h0, z1, h1 at every cell from `x` (the cached tower input) and marks every cell. */
  async forward(x: Float32Array, pass: FrontPass): Promise<void> {
    const { head, grid } = this;
    const f = head.features;
    const feeds: Record<string, ort.Tensor> = {};
    for (let l = 0; l < grid.cols.length; l++) {
      const at = levelLayout(head, l);
      feeds[`x${l}`] = this.levelTensor(x, l);
      Object.assign(feeds, weightFeeds(head, l, at));
    }
    const out = await this.forwardSession.run(feeds);
    for (let l = 0; l < grid.cols.length; l++) {
      const start = grid.levelStart[l]! * f;
      for (const [name, target] of [['z0', pass.z0], ['h0', pass.h0], ['z1', pass.z1], ['h1', pass.h1]] as const) target.set(out[`${name}_${l}`]!.data as Float32Array, start);
    }
    pass.mark.fill(1);
  }

  /** Adds d(loss)/d(front block params) into `grad` from pass.dh1 (after `forward` on the same `x`), then clears dh1. */
  async backward(x: Float32Array, pass: FrontPass, grad: Float64Array): Promise<void> {
    const { head, grid } = this;
    const f = head.features;
    const k2 = head.kernel * head.kernel;
    const feeds: Record<string, ort.Tensor> = {};
    for (let l = 0; l < grid.cols.length; l++) {
      const at = levelLayout(head, l);
      feeds[`x${l}`] = this.levelTensor(x, l);
      feeds[`dh1_${l}`] = this.levelTensor(Float32Array.from(pass.dh1.subarray(grid.levelStart[l]! * f, (grid.levelStart[l]! + this.cells(l)) * f)), l, 0);
      for (const [name, source] of [['z0', pass.z0], ['h0', pass.h0], ['z1', pass.z1]] as const) feeds[`${name}_${l}`] = this.levelTensor(source, l);
      feeds[`pw${l}`] = new ort.Tensor('float32', head.params.slice(at.fpw, at.fpwb), [f, f]);
    }
    const out = await this.backwardSession.run(feeds);
    for (let l = 0; l < grid.cols.length; l++) {
      const at = levelLayout(head, l);
      addInto(grad, at.fpw, out[`gpw${l}`]!.data as Float32Array);
      addInto(grad, at.fpwb, out[`gpwb${l}`]!.data as Float32Array);
      addInto(grad, at.fdw, (out[`gdw${l}`]!.data as Float32Array).subarray(0, f * k2));
      addInto(grad, at.fdwb, out[`gdwb${l}`]!.data as Float32Array);
    }
    pass.dh1.fill(0);
  }

  /** Releases both sessions. Safe to call twice. */
  async close(): Promise<void> {
    this.closing ??= Promise.all([this.forwardSession.release(), this.backwardSession.release()]).then(() => {});
    await this.closing;
  }

  private cells(l: number): number {
    return this.grid.cols[l]! * this.grid.rows[l]!;
  }

  /** Level l of an anchor-major array (starting at `offset` anchors; default the level's start) as [1, rows, cols, features]. */
  private levelTensor(data: Float32Array, l: number, offset = this.grid.levelStart[l]!): ort.Tensor {
    const f = this.head.features;
    return new ort.Tensor('float32', data.slice(offset * f, (offset + this.cells(l)) * f), [1, this.grid.rows[l]!, this.grid.cols[l]!, f]);
  }
}

function addInto(grad: Float64Array, at: number, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) grad[at + i]! += values[i]!;
}

function weightFeeds(head: ClassHead, l: number, at: ReturnType<typeof levelLayout>): Record<string, ort.Tensor> {
  const f = head.features;
  const k = head.kernel;
  return {
    [`dw${l}`]: new ort.Tensor('float32', head.params.slice(at.fdw, at.fdwb), [f, 1, k, k]),
    [`dwb${l}`]: new ort.Tensor('float32', head.params.slice(at.fdwb, at.fpw), [f]),
    [`pw${l}`]: new ort.Tensor('float32', head.params.slice(at.fpw, at.fpwb), [f, f, 1, 1]),
    [`pwb${l}`]: new ort.Tensor('float32', head.params.slice(at.fpwb, at.dw), [f]),
  };
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

function depthwiseAttributes(channels: number, kernel: number): Uint8Array[] {
  const pad = (kernel - 1) / 2;
  return [intsAttribute('kernel_shape', [kernel, kernel]), intsAttribute('pads', [pad, pad, pad, pad]), intsAttribute('strides', [1, 1]), intsAttribute('dilations', [1, 1]), intAttribute('group', channels)];
}

function forwardGraph(head: ClassHead, grid: AnchorGrid): Uint8Array {
  const f = head.features;
  const k = head.kernel;
  const fields: Field[] = [];
  const node = (op: string, name: string, inputs: string[], outputs: string[], attributes: Uint8Array[] = []): void => {
    fields.push([GraphField.node, nodeProto(op, name, inputs, outputs, attributes)]);
  };
  for (let l = 0; l < grid.cols.length; l++) {
    const [rows, cols] = [grid.rows[l]!, grid.cols[l]!];
    fields.push(
      [GraphField.input, floatValueInfo(`x${l}`, [1, rows, cols, f])],
      [GraphField.input, floatValueInfo(`dw${l}`, [f, 1, k, k])],
      [GraphField.input, floatValueInfo(`dwb${l}`, [f])],
      [GraphField.input, floatValueInfo(`pw${l}`, [f, f, 1, 1])],
      [GraphField.input, floatValueInfo(`pwb${l}`, [f])],
    );
    node('Transpose', `xt${l}`, [`x${l}`], [`xc${l}`], [intsAttribute('perm', NHWC_TO_NCHW)]);
    node('Conv', `dwconv${l}`, [`xc${l}`, `dw${l}`, `dwb${l}`], [`z0c${l}`], depthwiseAttributes(f, k));
    node('HardSwish', `hs0_${l}`, [`z0c${l}`], [`h0c${l}`]);
    node('Conv', `pwconv${l}`, [`h0c${l}`, `pw${l}`, `pwb${l}`], [`z1c${l}`]);
    node('HardSwish', `hs1_${l}`, [`z1c${l}`], [`h1c${l}`]);
    for (const name of ['z0', 'h0', 'z1', 'h1']) {
      node('Transpose', `${name}t${l}`, [`${name}c${l}`], [`${name}_${l}`], [intsAttribute('perm', NCHW_TO_NHWC)]);
      fields.push([GraphField.output, floatValueInfo(`${name}_${l}`, [1, rows, cols, f])]);
    }
  }
  return modelProto('tuned front block forward', fields, 14);
}

function backwardGraph(head: ClassHead, grid: AnchorGrid): Uint8Array {
  const f = head.features;
  const k = head.kernel;
  const fields: Field[] = [];
  const node = (op: string, name: string, inputs: string[], outputs: string[], attributes: Uint8Array[] = []): void => {
    fields.push([GraphField.node, nodeProto(op, name, inputs, outputs, attributes)]);
  };
  const scalar = (name: string, v: number): void => {
    fields.push([GraphField.initializer, floatTensor(name, [], Float32Array.of(v))]);
  };
  scalar('c_m3', -3);
  scalar('c_3', 3);
  scalar('c_0', 0);
  scalar('c_1', 1);
  scalar('c_2', 2);
  scalar('c_6', 6);
  fields.push([GraphField.initializer, int64Tensor('axes_cells', [0, 1, 2])]);
  fields.push([GraphField.initializer, int64Tensor('shape_flat', [-1, f])]);
  /** d(hard-swish)/dz: 0 below -3, 1 above 3, (2z + 3) / 6 between. */
  const hardSwishGrad = (z: string, out: string, q: string): void => {
    node('Mul', `${q}_2z`, [z, 'c_2'], [`${q}_2z`]);
    node('Add', `${q}_2z3`, [`${q}_2z`, 'c_3'], [`${q}_2z3`]);
    node('Div', `${q}_mid`, [`${q}_2z3`, 'c_6'], [`${q}_mid`]);
    node('Less', `${q}_lo`, [z, 'c_m3'], [`${q}_lo`]);
    node('Greater', `${q}_hi`, [z, 'c_3'], [`${q}_hi`]);
    node('Where', `${q}_w1`, [`${q}_hi`, 'c_1', `${q}_mid`], [`${q}_w1`]);
    node('Where', `${q}_w0`, [`${q}_lo`, 'c_0', `${q}_w1`], [out]);
  };
  for (let l = 0; l < grid.cols.length; l++) {
    const [rows, cols] = [grid.rows[l]!, grid.cols[l]!];
    for (const name of ['x', 'dh1_', 'z0_', 'h0_', 'z1_']) fields.push([GraphField.input, floatValueInfo(`${name}${l}`, [1, rows, cols, f])]);
    fields.push([GraphField.input, floatValueInfo(`pw${l}`, [f, f])]);
    // Pointwise: dz1 = dh1 * hs'(z1); d(weights)[j, c] = sum over cells dz1[., j] h0[., c]; d(bias) = sum dz1.
    hardSwishGrad(`z1_${l}`, `g1_${l}`, `hsg1_${l}`);
    node('Mul', `dz1_${l}`, [`dh1_${l}`, `g1_${l}`], [`dz1_${l}`]);
    node('ReduceSum', `gpwb${l}`, [`dz1_${l}`, 'axes_cells'], [`gpwb${l}`], [intAttribute('keepdims', 0)]);
    node('Reshape', `dz1f${l}`, [`dz1_${l}`, 'shape_flat'], [`dz1f${l}`]);
    node('Reshape', `h0f${l}`, [`h0_${l}`, 'shape_flat'], [`h0f${l}`]);
    node('Transpose', `dz1t${l}`, [`dz1f${l}`], [`dz1t${l}`], [intsAttribute('perm', [1, 0])]);
    node('MatMul', `gpw${l}`, [`dz1t${l}`, `h0f${l}`], [`gpw${l}`]);
    // Back through the pointwise conv and the first hard-swish.
    node('MatMul', `dh0f${l}`, [`dz1f${l}`, `pw${l}`], [`dh0f${l}`]);
    hardSwishGrad(`z0_${l}`, `g0_${l}`, `hsg0_${l}`);
    node('Reshape', `g0f${l}`, [`g0_${l}`, 'shape_flat'], [`g0f${l}`]);
    node('Mul', `dz0f${l}`, [`dh0f${l}`, `g0f${l}`], [`dz0f${l}`]);
    node('ReduceSum', `gdwb${l}`, [`dz0f${l}`, 'axes_first'], [`gdwb${l}`], [intAttribute('keepdims', 0)]);
    // Depthwise weights: each channel's input correlated with its gradient map -> k x k values.
    fields.push([GraphField.initializer, int64Tensor(`shape_map${l}`, [rows, cols, f, 1])]);
    node('Reshape', `dz0m${l}`, [`dz0f${l}`, `shape_map${l}`], [`dz0m${l}`]);
    node('Transpose', `dz0k${l}`, [`dz0m${l}`], [`dz0k${l}`], [intsAttribute('perm', [2, 3, 0, 1])]);
    node('Transpose', `xc${l}`, [`x${l}`], [`xc${l}`], [intsAttribute('perm', NHWC_TO_NCHW)]);
    const pad = (k - 1) / 2;
    node('Conv', `gdw${l}`, [`xc${l}`, `dz0k${l}`], [`gdw${l}`], [intsAttribute('kernel_shape', [rows, cols]), intsAttribute('pads', [pad, pad, pad, pad]), intsAttribute('strides', [1, 1]), intsAttribute('dilations', [1, 1]), intAttribute('group', f)]);
    for (const name of [`gpw${l}`, `gpwb${l}`, `gdw${l}`, `gdwb${l}`]) fields.push([GraphField.output, floatValueInfo(name)]);
  }
  fields.push([GraphField.initializer, int64Tensor('axes_first', [0])]);
  return modelProto('tuned front block backward', fields, 14);
}
