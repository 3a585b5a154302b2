/**
 * Builds tiny, valid ONNX models in memory for tests: a graph of Identity nodes from one image
 * input to outputs of chosen shapes is not possible, so each output is a Reshape-free Identity of
 * its own input; the image input comes first. Only protobuf wire format is written (no schema).
 */

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const field = (num: number, wire: number): number[] => varint((num << 3) | wire);
const vint = (num: number, v: number): number[] => [...field(num, 0), ...varint(v)];
const bytes = (num: number, b: readonly number[]): number[] => [...field(num, 2), ...varint(b.length), ...b];
const str = (num: number, s: string): number[] => bytes(num, [...Buffer.from(s, 'utf8')]);

function valueInfo(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, vint(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...vint(1, 1), ...bytes(2, shape)]; // elem_type FLOAT, shape
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))]; // ValueInfoProto { name, type { tensor_type } }
}

/** A model with inputs `name -> dims` where each output i is Identity(input i). */
export function identityModel(ios: readonly { input: string; output: string; dims: readonly number[] }[]): Uint8Array {
  const graph: number[] = [];
  for (const io of ios) graph.push(...bytes(1, [...str(1, io.input), ...str(2, io.output), ...str(4, 'Identity')]));
  graph.push(...str(2, 'tiny'));
  for (const io of ios) graph.push(...bytes(11, valueInfo(io.input, io.dims)));
  for (const io of ios) graph.push(...bytes(12, valueInfo(io.output, io.dims)));
  const model = [...vint(1, 8), ...bytes(8, [...str(1, ''), ...vint(2, 13)]), ...bytes(7, graph)];
  return Uint8Array.from(model);
}
