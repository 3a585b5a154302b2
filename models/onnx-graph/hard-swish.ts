import type { OnnxNode } from './onnx-graph-read.ts';

/**
 * The input of the hard-swish that produces `tensor`: either a HardSwish node or opset-11
 * exports' x * Clip(x + 3, 0, 6) / 6 (Paddle's export). Undefined when `tensor` does not come
 * from a hard-swish.
 */
export function hardSwishInput(producer: ReadonlyMap<string, OnnxNode>, tensor: string): string | undefined {
  const last = producer.get(tensor);
  if (last?.opType === 'HardSwish') return last.inputs[0];
  if (last?.opType !== 'Div') return undefined;
  const mul = producer.get(last.inputs[0] ?? '');
  const clip = mul?.opType === 'Mul' ? producer.get(mul.inputs[1] ?? '') : undefined;
  const add = clip?.opType === 'Clip' ? producer.get(clip.inputs[0] ?? '') : undefined;
  return mul && add?.opType === 'Add' && add.inputs[0] === mul.inputs[0] ? mul.inputs[0] : undefined;
}

/** Tensor name -> the node producing it. */
export function producers(nodes: readonly OnnxNode[]): Map<string, OnnxNode> {
  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  return producer;
}
